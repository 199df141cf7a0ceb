#!/usr/bin/python3
"""The PyTorch side of `npm run bench:engine` (bench/engine.ts runs it as a child process).

It measures the same work as our engine on the same shape, with torch tuned the way that was
fastest on this machine: torch.set_num_threads(1) here, OPENBLAS_NUM_THREADS=2 set by the caller.

    torch_engine.py '<json spec>'
spec: {"config": HF config.json fields, "batch": B, "seq": T, "warmup": n, "steps": n,
       "prompts": P, "prompt_len": L, "new_tokens": N, "sample_runs": n, "seed": s}

Prints one JSON line: {"train_ms": median step ms, "train_ms_all": [...], "sample_tok_s": median
of the timed sampling runs, "sample_tok_s_all": [...], "rss_mb": peak RSS of this process, "params"}.
With "profile": true in the spec it also runs two more training steps under torch's profiler and adds
"profile": {"train": {op: {"ms", "calls"}}}: each aten op's self CPU time per step, so the caller can
split torch's step into GEMMs and the rest the same way it splits ours.
A training step is forward + masked-mean cross-entropy + backward + AdamW (torch.optim.AdamW).
Sampling prefills P prompts of L tokens, then decodes N tokens one position at a time with a
preallocated KV cache, sampling from softmax(logits) at temperature 1; tokens/s = P*N / wall time
of one run (cache allocation included), the median of "sample_runs" runs after one warmup run.
"""

import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "parity"))
import torch_llama as L  # noqa: E402


def train_step(cfg, params, opt, data, V):
    opt.zero_grad(set_to_none=True)
    logits = L.forward(cfg, params, data[:, :-1])
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), data[:, 1:].reshape(-1))
    loss.backward()
    opt.step()


PROFILED_STEPS = 2


def train_bench(cfg, p, spec):
    B, T, V = spec["batch"], spec["seq"], cfg.vocab_size
    g = torch.Generator().manual_seed(spec["seed"])
    names = L.param_names(cfg)
    params = {n: p[n].requires_grad_(True) for n in names}
    decay = [params[n] for n in names if params[n].dim() == 2]
    no_decay = [params[n] for n in names if params[n].dim() != 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-3, betas=(0.9, 0.95), eps=1e-8, foreach=True,
    )
    times = []
    for step in range(spec["warmup"] + spec["steps"]):
        data = torch.randint(0, V, (B, T + 1), generator=g)
        t0 = time.perf_counter()
        train_step(cfg, params, opt, data, V)
        dt = time.perf_counter() - t0
        if step >= spec["warmup"]:
            times.append(dt * 1000)
    profile = None
    if spec.get("profile"):
        with torch.autograd.profiler.profile() as prof:
            for _ in range(PROFILED_STEPS):
                train_step(cfg, params, opt, torch.randint(0, V, (B, T + 1), generator=g), V)
        profile = {
            e.key: {"ms": e.self_cpu_time_total / 1000 / PROFILED_STEPS, "calls": e.count / PROFILED_STEPS}
            for e in prof.key_averages()
            if e.self_cpu_time_total > 0
        }
    for n in names:
        params[n].requires_grad_(False)
    return times, profile


@torch.inference_mode()
def sample_bench(cfg, p, spec, run):
    P, Lp, N = spec["prompts"], spec["prompt_len"], spec["new_tokens"]
    g = torch.Generator().manual_seed(spec["seed"] + 1 + run)
    prompts = torch.randint(0, cfg.vocab_size, (P, Lp), generator=g)
    t0 = time.perf_counter()
    cache = L.new_cache(cfg, P, Lp + N, torch.float32)
    logits = L.forward(cfg, p, prompts, cache=cache)[:, -1]
    generated = []
    for i in range(N):
        token = torch.multinomial(logits.softmax(-1), 1, generator=g)  # (P, 1)
        generated.append(token)
        if i < N - 1:
            logits = L.forward(cfg, p, token, cache=cache)[:, -1]
    dt = time.perf_counter() - t0
    assert torch.cat(generated, 1).shape == (P, N)
    return P * N / dt


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(1)
    torch.manual_seed(spec["seed"])
    cfg = L.Config(spec["config"])
    p = L.init_params(cfg, spec["seed"])
    p = {n: p[n] for n in L.param_names(cfg)}
    times, profile = train_bench(cfg, p, spec)
    rates = [sample_bench(cfg, p, spec, run) for run in range(1 + spec["sample_runs"])][1:]
    print(json.dumps({
        "train_ms": statistics.median(times),
        "train_ms_all": [round(t, 2) for t in times],
        "sample_tok_s": statistics.median(rates),
        "sample_tok_s_all": [round(r) for r in rates],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "params": sum(t.numel() for t in p.values()),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        **({"profile": {"train": profile}} if profile else {}),
    }))


if __name__ == "__main__":
    main()
