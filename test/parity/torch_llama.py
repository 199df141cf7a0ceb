#!/usr/bin/python3
"""An independent, minimal PyTorch implementation of the Llama / Qwen2 decoder.

It is the oracle for omni-thinker's own engine (test/model-parity.test.ts) and the peer in the
engine benchmark (bench/torch_engine.py). It is written from the architecture's definition, not
from the TypeScript code: RMSNorm, RoPE with rotate_half and rope_theta, multi-head attention with
optional grouped KV heads (GQA) and optional q/k/v (and o) bias, SwiGLU MLP, tied or untied head.
Parameter names follow Hugging Face (`model.layers.0.self_attn.q_proj.weight`, Linear layout
[out, in]).

Safetensors is read and written by hand (8-byte little-endian header length, JSON header, raw
little-endian data), so no `safetensors` package is needed.

Parity mode:
    torch_llama.py parity <case_dir> [<case_dir> ...]
Each case directory holds config.json and model.safetensors (a HF model directory) and inputs.json:
    {"B", "T", "tokens": [B*T], "targets": [B*T], "mask": [B*T] (0/1),
     "dtype": "float64" | "float32",
     "adamw": {"lr", "beta1", "beta2", "eps", "weight_decay", "no_decay": [names],
               "grads": "<file>.safetensors"}  (optional)}
and gets torch.safetensors: "logits" [B,T,V], "loss" [1], "grad.<name>" for every parameter, and,
when "adamw" is given, "adamw.<name>": the weights after one torch.optim.AdamW step (fresh state)
from the gradients in adamw.grads (the caller's own, so the optimizer is checked on identical
inputs: one Adam step is ~lr*sign(g), which amplifies tiny gradient differences near 0).
The loss is the masked mean token cross-entropy: sum(mask * -log p(target)) / sum(mask).
Exits with status 77 when torch cannot be imported.
"""

import json
import math
import struct
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError as err:  # the caller turns this into a visible skip
    print(f"import torch failed: {err}", file=sys.stderr)
    sys.exit(77)

# ---------------------------------------------------------------------------------------------
# safetensors by hand

_DTYPES = {
    "F32": (torch.float32, 4),
    "F64": (torch.float64, 8),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8),
    "I32": (torch.int32, 4),
}


def read_safetensors(path):
    """Returns {name: tensor} (tensors keep their stored dtype)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, _size = _DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        buf = bytearray(data[base + start : base + end])
        t = torch.frombuffer(buf, dtype=dtype) if end > start else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    """Writes {name: tensor} as F32 (float64 inputs are rounded to float32)."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        arr = t.detach().to(torch.float32).contiguous().reshape(-1)
        raw = arr.numpy().tobytes() if arr.numel() > 0 else b""
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)  # keep the data 8-byte aligned, as the format recommends
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)


# ---------------------------------------------------------------------------------------------
# config


class Config:
    """The fields of HF config.json that the architecture needs, with HF's defaults."""

    def __init__(self, c):
        arch = (c.get("architectures") or ["LlamaForCausalLM"])[0]
        is_qwen2 = arch == "Qwen2ForCausalLM" or c.get("model_type") == "qwen2"
        self.vocab_size = c["vocab_size"]
        self.hidden_size = c["hidden_size"]
        self.intermediate_size = c["intermediate_size"]
        self.num_layers = c["num_hidden_layers"]
        self.num_heads = c["num_attention_heads"]
        self.num_kv_heads = c.get("num_key_value_heads") or self.num_heads
        self.head_dim = c.get("head_dim") or self.hidden_size // self.num_heads
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.rope_theta = c.get("rope_theta", 10000.0)
        self.tied = bool(c.get("tie_word_embeddings", False))
        bias = c.get("attention_bias", False)
        self.qkv_bias = True if is_qwen2 else bool(bias)
        self.o_bias = False if is_qwen2 else bool(bias)


# ---------------------------------------------------------------------------------------------
# the model: a dict of named leaf tensors and a pure function over it


def rms_norm(x, w, eps):
    # x (..., C) -> (..., C); statistics in the input's dtype
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_tables(positions, head_dim, theta, dtype):
    # positions (B, T) int -> cos, sin (B, 1, T, head_dim), HF's "rotate_half" layout
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    freqs = positions.to(torch.float64)[..., None] * inv_freq  # (B, T, hd/2)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().to(dtype)[:, None], emb.sin().to(dtype)[:, None]


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def linear(p, name, x, bias):
    y = x @ p[name + ".weight"].t()
    return y + p[name + ".bias"] if bias else y


def forward(cfg, p, tokens, positions=None, cache=None):
    """tokens (B, T) -> logits (B, T, V).

    positions (B, T): absolute positions for RoPE (default 0..T-1).
    cache: optional list (one per layer) of dicts {"k", "v": (B, kvh, maxT, hd), "len": int}; the new
    keys/values are written at [len, len+T) and attention covers [0, len+T) causally.
    """
    B, T = tokens.shape
    H, KV, hd = cfg.num_heads, cfg.num_kv_heads, cfg.head_dim
    dtype = p["model.embed_tokens.weight"].dtype
    past = cache[0]["len"] if cache else 0
    if positions is None:
        positions = torch.arange(past, past + T).expand(B, T)
    cos, sin = rope_tables(positions, hd, cfg.rope_theta, dtype)
    x = p["model.embed_tokens.weight"][tokens]
    total = past + T
    # causal mask over the keys [0, total): query i (absolute past+i) sees keys <= past+i
    mask = torch.ones(T, total, dtype=torch.bool).tril(diagonal=past)
    for i in range(cfg.num_layers):
        pre = f"model.layers.{i}."
        h = rms_norm(x, p[pre + "input_layernorm.weight"], cfg.eps)
        q = linear(p, pre + "self_attn.q_proj", h, cfg.qkv_bias).view(B, T, H, hd).transpose(1, 2)
        k = linear(p, pre + "self_attn.k_proj", h, cfg.qkv_bias).view(B, T, KV, hd).transpose(1, 2)
        v = linear(p, pre + "self_attn.v_proj", h, cfg.qkv_bias).view(B, T, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            c = cache[i]
            c["k"][:, :, past:total] = k
            c["v"][:, :, past:total] = v
            k = c["k"][:, :, :total]
            v = c["v"][:, :, :total]
        if KV != H:  # GQA: each KV head serves H/KV consecutive query heads
            k = k.repeat_interleave(H // KV, dim=1)
            v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, H * hd)
        x = x + linear(p, pre + "self_attn.o_proj", y, cfg.o_bias)
        h = rms_norm(x, p[pre + "post_attention_layernorm.weight"], cfg.eps)
        gate = linear(p, pre + "mlp.gate_proj", h, False)
        up = linear(p, pre + "mlp.up_proj", h, False)
        x = x + linear(p, pre + "mlp.down_proj", F.silu(gate) * up, False)
    if cache is not None:
        for c in cache:
            c["len"] = total
    x = rms_norm(x, p["model.norm.weight"], cfg.eps)
    head = p["model.embed_tokens.weight"] if cfg.tied else p["lm_head.weight"]
    return x @ head.t()


def new_cache(cfg, B, max_len, dtype):
    shape = (B, cfg.num_kv_heads, max_len, cfg.head_dim)
    return [{"k": torch.zeros(shape, dtype=dtype), "v": torch.zeros(shape, dtype=dtype), "len": 0}
            for _ in range(cfg.num_layers)]


def param_names(cfg):
    """Every parameter name, in HF order."""
    names = ["model.embed_tokens.weight"]
    for i in range(cfg.num_layers):
        pre = f"model.layers.{i}."
        names.append(pre + "input_layernorm.weight")
        for proj in ("q_proj", "k_proj", "v_proj"):
            names.append(pre + f"self_attn.{proj}.weight")
            if cfg.qkv_bias:
                names.append(pre + f"self_attn.{proj}.bias")
        names.append(pre + "self_attn.o_proj.weight")
        if cfg.o_bias:
            names.append(pre + "self_attn.o_proj.bias")
        names.append(pre + "post_attention_layernorm.weight")
        for proj in ("gate_proj", "up_proj", "down_proj"):
            names.append(pre + f"mlp.{proj}.weight")
    names.append("model.norm.weight")
    if not cfg.tied:
        names.append("lm_head.weight")
    return names


def init_params(cfg, seed, dtype=torch.float32):
    """Random weights (normal 0.02, norms at 1, biases small) for benchmarks."""
    g = torch.Generator().manual_seed(seed)
    C, I, V = cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size
    q_out, kv_out = cfg.num_heads * cfg.head_dim, cfg.num_kv_heads * cfg.head_dim
    shapes = {"model.embed_tokens.weight": (V, C), "model.norm.weight": (C,), "lm_head.weight": (V, C)}
    for i in range(cfg.num_layers):
        pre = f"model.layers.{i}."
        shapes.update({
            pre + "input_layernorm.weight": (C,),
            pre + "post_attention_layernorm.weight": (C,),
            pre + "self_attn.q_proj.weight": (q_out, C), pre + "self_attn.q_proj.bias": (q_out,),
            pre + "self_attn.k_proj.weight": (kv_out, C), pre + "self_attn.k_proj.bias": (kv_out,),
            pre + "self_attn.v_proj.weight": (kv_out, C), pre + "self_attn.v_proj.bias": (kv_out,),
            pre + "self_attn.o_proj.weight": (C, q_out), pre + "self_attn.o_proj.bias": (C,),
            pre + "mlp.gate_proj.weight": (I, C), pre + "mlp.up_proj.weight": (I, C),
            pre + "mlp.down_proj.weight": (C, I),
        })
    out = {}
    for name in param_names(cfg):
        shape = shapes[name]
        if name.endswith("norm.weight"):
            out[name] = torch.ones(shape, dtype=dtype)
        else:
            out[name] = (torch.randn(shape, generator=g, dtype=torch.float32) * 0.02).to(dtype)
    return out


def masked_mean_ce(logits, targets, mask):
    # logits (B, T, V), targets (B, T), mask (B, T) -> scalar
    logp = logits.log_softmax(-1).gather(-1, targets.clamp(min=0)[..., None])[..., 0]
    return -(logp * mask).sum() / mask.sum()


# ---------------------------------------------------------------------------------------------
# parity mode


def parity(case_dir):
    model_dir = case_dir
    with open(f"{model_dir}/config.json") as f:
        cfg = Config(json.load(f))
    with open(f"{case_dir}/inputs.json") as f:
        inp = json.load(f)
    dtype = torch.float64 if inp.get("dtype", "float64") == "float64" else torch.float32
    weights = read_safetensors(f"{model_dir}/model.safetensors")
    names = param_names(cfg)
    missing = [n for n in names if n not in weights]
    if missing:
        raise SystemExit(f"{model_dir}/model.safetensors: missing tensors {missing[:5]}")
    p = {n: weights[n].to(dtype).requires_grad_(True) for n in names}
    B, T = inp["B"], inp["T"]
    tokens = torch.tensor(inp["tokens"], dtype=torch.int64).view(B, T)
    targets = torch.tensor(inp["targets"], dtype=torch.int64).view(B, T)
    mask = torch.tensor(inp["mask"], dtype=dtype).view(B, T)

    logits = forward(cfg, p, tokens)
    loss = masked_mean_ce(logits, targets, mask)
    loss.backward()

    out = {"logits": logits.detach(), "loss": loss.detach().reshape(1)}
    for n in names:
        out["grad." + n] = p[n].grad
    opt = inp.get("adamw")
    if opt:
        given = read_safetensors(opt["grads"])
        for n in names:
            p[n].grad = given[n].to(dtype).reshape(p[n].shape)
        no_decay = set(opt.get("no_decay", []))
        groups = [
            {"params": [p[n] for n in names if n not in no_decay], "weight_decay": opt["weight_decay"]},
            {"params": [p[n] for n in names if n in no_decay], "weight_decay": 0.0},
        ]
        adamw = torch.optim.AdamW(
            [g for g in groups if g["params"]], lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"]
        )
        adamw.step()
        for n in names:
            out["adamw." + n] = p[n].detach()
    write_safetensors(f"{case_dir}/torch.safetensors", out)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "parity":
        torch.set_num_threads(1)
        for case in sys.argv[2:]:
            parity(case)
    else:
        raise SystemExit(__doc__)
