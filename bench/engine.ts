// Engine benchmark: our native engine vs PyTorch (tuned) on the same shapes, side by side, in one run.
//
//   npm run bench:engine                  # shapes S and M, both environments
//   node dist/bench/engine.js --shapes S --quick
//   node dist/bench/engine.js --rounds 3      # each side 3 times, alternating; speedup = median ratio
//   node dist/bench/engine.js --profile   # also: where the time goes, per kernel on our side and per aten
//                                         # op on torch's (timers and torch's profiler add a little)
//
// For every shape and environment it runs two child processes, one after the other (so each has the
// cores to itself and its peak RSS is its own): `node dist/bench/engine.js --child <spec>` (our engine)
// and `/usr/bin/python3 bench/torch_engine.py <spec>` (torch.set_num_threads(1), OPENBLAS_NUM_THREADS=2).
// Each measures:
//   - a training step: forward + masked-mean cross-entropy + backward + AdamW, median of N steps after
//     warmup; GFLOP/s = 6 * (matmul params) * tokens / step time, matmul params = all parameters except
//     the input embedding table and the norm vectors (attention's T^2 work is not counted);
//   - sampling: 32 prompts of 16 random tokens, 64 new tokens each, temperature 1, KV cache;
//     tokens/s = 32 * 64 / wall time of one run (prefill and cache set-up included), the median of
//     `sample_runs` runs after one warmup run (like the training steps: the first run pays for JIT
//     compilation and fresh pages on our side, the allocator's first growth on torch's);
//   - peak RSS of the process.
// The whole comparison runs twice: under the machine's environment as it is, and with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (for both sides).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AdamW } from "../src/engine/adamw.js";
import type { Backend, BackendInfo } from "../src/engine/backend.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { type LlamaConfig, makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";
import { generate } from "../src/models/sampler.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const PYTHON = "/usr/bin/python3";
const TORCH_SCRIPT = join(ROOT, "bench", "torch_engine.py");
const ENV_VARS = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

interface Shape {
  name: string;
  config: Record<string, unknown>;
  batch: number;
  seq: number;
}

// M's MLP width: 8/3 * 512 = 1365.3, rounded up to a multiple of 32 -> 1376.
const SHAPES: Shape[] = [
  {
    name: "S",
    config: {
      vocab_size: 512,
      hidden_size: 256,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      intermediate_size: 1024,
      max_position_embeddings: 128,
      tie_word_embeddings: false,
    },
    batch: 8,
    seq: 128,
  },
  {
    name: "M",
    config: {
      vocab_size: 2048,
      hidden_size: 512,
      num_hidden_layers: 8,
      num_attention_heads: 8,
      intermediate_size: 1376,
      max_position_embeddings: 256,
      tie_word_embeddings: false,
    },
    batch: 8,
    seq: 256,
  },
];

const TARGETS = { trainSpeedup: 1.5, sampleSpeedup: 1.5, gflopsS: 200 };

interface Spec {
  config: Record<string, unknown>;
  batch: number;
  seq: number;
  warmup: number;
  steps: number;
  prompts: number;
  prompt_len: number;
  new_tokens: number;
  /** Timed sampling runs after one warmup run; tokens/s is their median. */
  sample_runs: number;
  seed: number;
  profile?: boolean;
}

/** ms per kernel (summed over calls) and calls, for one phase; "(outside kernels)" is the rest. */
type KernelProfile = Record<string, { ms: number; calls: number }>;

interface SideResult {
  train_ms: number;
  train_ms_all: number[];
  /** Median over the timed sampling runs. */
  sample_tok_s: number;
  sample_tok_s_all: number[];
  rss_mb: number;
  params: number;
  /** Our side only: median ms per phase of the training step. */
  phases?: { forward: number; backward: number; optimizer: number };
  backend?: BackendInfo;
  /**
   * With --profile: per training step (mean) and, on our side, per sampling run (mean of the timed
   * runs). Torch's side profiles training only, per aten op (self CPU time).
   */
  profile?: { train: KernelProfile; sample?: KernelProfile };
}

interface Row {
  shape: string;
  env: string;
  /** Our GEMM in this environment (the addon picks it: native/gemm.c gemm_init). */
  gemm: string;
  train_ms: number;
  torch_train_ms: number;
  train_speedup: number;
  sample_tok_s: number;
  torch_sample_tok_s: number;
  sample_speedup: number;
  gflops: number;
  torch_gflops: number;
  rss_mb: number;
  torch_rss_mb: number;
  phases_ms?: SideResult["phases"];
  profile?: SideResult["profile"];
  torch_profile?: SideResult["profile"];
}

/**
 * The linear layers' GEMMs on each side: ours are the matmul kernels and the raw sgemm calls of the
 * backward pass (attention's small products live inside its own kernels); torch's are aten::mm and
 * aten::addmm (its attention products are aten::bmm, counted with the rest).
 */
const OUR_GEMM_KERNELS = ["matmulForward", "matmulBackward", "sgemm"];
const TORCH_GEMM_OPS = ["aten::mm", "aten::addmm"];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Parameters that take part in a matmul: all but the input embedding table (a lookup) and the norms. */
function matmulParams(c: LlamaConfig): number {
  const H = c.num_attention_heads * c.head_dim;
  const KV = c.num_key_value_heads * c.head_dim;
  const C = c.hidden_size;
  const F = c.intermediate_size;
  const perLayer = C * H + 2 * C * KV + H * C + 3 * C * F;
  return c.num_hidden_layers * perLayer + c.vocab_size * C; // + the LM head (tied or not)
}

// ---------------------------------------------------------------------------------------------
// child: our engine

/**
 * Wraps every kernel of `backend` with a timer. take(wallMs, per) returns the times since the last
 * take (divided by `per`) and resets them; the wall time not spent in kernels is "(outside kernels)".
 */
function instrument(backend: Backend): (wallMs: number, per: number) => KernelProfile {
  const acc: KernelProfile = {};
  const kernels = backend as unknown as Record<string, unknown>;
  for (const [name, f] of Object.entries(kernels)) {
    if (typeof f !== "function" || name === "info") continue;
    const slot = { ms: 0, calls: 0 };
    acc[name] = slot;
    kernels[name] = (...args: unknown[]) => {
      const t = performance.now();
      const out = (f as (...a: unknown[]) => unknown).apply(backend, args);
      slot.ms += performance.now() - t;
      slot.calls++;
      return out;
    };
  }
  return (wallMs, per) => {
    const out: KernelProfile = {};
    let inKernels = 0;
    for (const [name, k] of Object.entries(acc)) {
      if (k.calls > 0) out[name] = { ms: k.ms / per, calls: k.calls / per };
      inKernels += k.ms;
      k.ms = 0;
      k.calls = 0;
    }
    out["(outside kernels)"] = { ms: (wallMs - inKernels) / per, calls: 0 };
    return out;
  };
}

function runOurs(spec: Spec): SideResult {
  const config = makeConfig(spec.config as Parameters<typeof makeConfig>[0]);
  const backend = loadBackend("native");
  const take = spec.profile ? instrument(backend) : null;
  const model = LlamaModel.create(config, { seed: spec.seed, backend });
  const optimizer = new AdamW(model.params, backend, {
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weightDecay: 0.1,
  });
  const B = spec.batch;
  const T = spec.seq;
  const rng = new Rng(spec.seed);
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const dlogprobs = new Float32Array(B * T).fill(-1 / (B * T)); // d(mean CE)/d logprob
  const times: number[] = [];
  const phases = { forward: [] as number[], backward: [] as number[], optimizer: [] as number[] };
  let trainProfile: KernelProfile | undefined;
  for (let step = 1; step <= spec.warmup + spec.steps; step++) {
    if (step === spec.warmup + 1) take?.(0, 1); // forget the warmup steps
    for (let i = 0; i < B * T; i++) {
      tokens[i] = rng.int(config.vocab_size);
      targets[i] = rng.int(config.vocab_size);
    }
    const t0 = performance.now();
    model.zeroGrad();
    model.forward(tokens, targets, B, T);
    const t1 = performance.now();
    model.backward(dlogprobs);
    const t2 = performance.now();
    optimizer.update(1e-3);
    const t3 = performance.now();
    if (step > spec.warmup) {
      times.push(t3 - t0);
      phases.forward.push(t1 - t0);
      phases.backward.push(t2 - t1);
      phases.optimizer.push(t3 - t2);
    }
  }
  if (take)
    trainProfile = take(
      times.reduce((a, b) => a + b, 0),
      spec.steps,
    );

  const prompts = Array.from({ length: spec.prompts }, () =>
    Array.from({ length: spec.prompt_len }, () => rng.int(config.vocab_size)),
  );
  const sampleRates: number[] = [];
  let sampleMs = 0;
  for (let run = 0; run <= spec.sample_runs; run++) {
    if (run === 1) take?.(0, 1); // forget the warmup run
    const s0 = performance.now();
    const gens = generate(model, prompts, {
      maxNewTokens: spec.new_tokens,
      temperature: 1,
      seed: spec.seed + run,
    });
    const ms = performance.now() - s0;
    const generated = gens.reduce((n, g) => n + g.tokens.length, 0);
    if (generated !== spec.prompts * spec.new_tokens)
      throw new Error(`sampled ${generated} tokens, expected ${spec.prompts * spec.new_tokens}`);
    if (run > 0) {
      sampleRates.push(generated / (ms / 1000));
      sampleMs += ms;
    }
  }
  const sampleProfile = take?.(sampleMs, spec.sample_runs);

  return {
    train_ms: median(times),
    train_ms_all: times.map((t) => Math.round(t * 100) / 100),
    sample_tok_s: median(sampleRates),
    sample_tok_s_all: sampleRates.map((r) => Math.round(r)),
    rss_mb: process.resourceUsage().maxRSS / 1024,
    params: model.numParams(),
    phases: {
      forward: median(phases.forward),
      backward: median(phases.backward),
      optimizer: median(phases.optimizer),
    },
    backend: backend.info(),
    ...(trainProfile && sampleProfile ? { profile: { train: trainProfile, sample: sampleProfile } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// parent: run both sides in both environments, print the table and the JSON line

function lastJsonLine(text: string, who: string): SideResult {
  const line = text
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (!line) throw new Error(`${who} printed no JSON result:\n${text}`);
  return JSON.parse(line) as SideResult;
}

/**
 * One side's results over rounds: medians of the per-round medians, every step and sampling run listed,
 * the largest RSS; phases and profile come from the first round.
 */
function mergeRounds(results: SideResult[]): SideResult {
  const first = results[0]!;
  if (results.length === 1) return first;
  return {
    ...first,
    train_ms: median(results.map((r) => r.train_ms)),
    train_ms_all: results.flatMap((r) => r.train_ms_all),
    sample_tok_s: median(results.map((r) => r.sample_tok_s)),
    sample_tok_s_all: results.flatMap((r) => r.sample_tok_s_all),
    rss_mb: Math.max(...results.map((r) => r.rss_mb)),
  };
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, who: string): SideResult {
  const r = spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${who} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  return lastJsonLine(r.stdout, who);
}

function envVariant(name: "machine" | "unset"): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (name === "unset") for (const v of ENV_VARS) delete env[v];
  return env;
}

function describeEnv(env: NodeJS.ProcessEnv): string {
  return ENV_VARS.map((v) => `${v}=${env[v] ?? "(unset)"}`).join(" ");
}

const fmt = (x: number, d = 1) => x.toFixed(d);

function printTable(rows: Row[]): void {
  const header = [
    "shape",
    "env",
    "our GEMM",
    "train ms",
    "torch ms",
    "speedup",
    "GFLOP/s",
    "torch GFLOP/s",
    "sample tok/s",
    "torch tok/s",
    "speedup",
    "RSS MB",
    "torch RSS MB",
  ];
  const lines = rows.map((r) => [
    r.shape,
    r.env,
    r.gemm,
    fmt(r.train_ms),
    fmt(r.torch_train_ms),
    `${fmt(r.train_speedup, 2)}x`,
    fmt(r.gflops),
    fmt(r.torch_gflops),
    fmt(r.sample_tok_s, 0),
    fmt(r.torch_sample_tok_s, 0),
    `${fmt(r.sample_speedup, 2)}x`,
    fmt(r.rss_mb, 0),
    fmt(r.torch_rss_mb, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const show = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log(show(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(show(l));
}

function main(argv: string[]): void {
  const childAt = argv.indexOf("--child");
  if (childAt >= 0) {
    console.log(JSON.stringify(runOurs(JSON.parse(argv[childAt + 1]!) as Spec)));
    return;
  }
  const quick = argv.includes("--quick");
  const profile = argv.includes("--profile");
  const roundsAt = argv.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(argv[roundsAt + 1]) : 1;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a positive integer`);
  const shapesAt = argv.indexOf("--shapes");
  const wanted = shapesAt >= 0 ? argv[shapesAt + 1]!.split(",") : SHAPES.map((s) => s.name);
  const shapes = wanted.map((n) => {
    const s = SHAPES.find((x) => x.name === n);
    if (!s)
      throw new Error(`--shapes: unknown shape "${n}" (known: ${SHAPES.map((x) => x.name).join(", ")})`);
    return s;
  });
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const envName of ["machine", "unset"] as const) {
    const env = envVariant(envName);
    console.log(`\n== environment "${envName}": ${describeEnv(env)}`);
    for (const shape of shapes) {
      const spec: Spec = {
        config: shape.config,
        batch: shape.batch,
        seq: shape.seq,
        warmup: quick ? 1 : 3,
        steps: quick ? 3 : shape.name === "S" ? 10 : 5,
        prompts: 32,
        prompt_len: 16,
        new_tokens: 64,
        sample_runs: quick ? 1 : 3,
        seed: 1234,
        profile,
      };
      // Each round runs both sides once, back to back; the speedups are the medians of the per-round
      // ratios, so a slow spell of the machine hits both sides of a ratio alike.
      const perRound = Array.from({ length: rounds }, () => ({
        ours: runChild(process.execPath, [self, "--child", JSON.stringify(spec)], env, "our engine"),
        torch: runChild(
          PYTHON,
          [TORCH_SCRIPT, JSON.stringify(spec)],
          { ...env, OPENBLAS_NUM_THREADS: "2", OMP_NUM_THREADS: "1" },
          "torch_engine.py",
        ),
      }));
      const ours = mergeRounds(perRound.map((r) => r.ours));
      const torch = mergeRounds(perRound.map((r) => r.torch));
      const flops =
        6 *
        matmulParams(makeConfig(spec.config as Parameters<typeof makeConfig>[0])) *
        shape.batch *
        shape.seq;
      const row: Row = {
        shape: shape.name,
        env: envName,
        gemm: ours.backend?.gemm ?? "?",
        train_ms: ours.train_ms,
        torch_train_ms: torch.train_ms,
        train_speedup: median(perRound.map((r) => r.torch.train_ms / r.ours.train_ms)),
        sample_tok_s: ours.sample_tok_s,
        torch_sample_tok_s: torch.sample_tok_s,
        sample_speedup: median(perRound.map((r) => r.ours.sample_tok_s / r.torch.sample_tok_s)),
        gflops: flops / (ours.train_ms * 1e6),
        torch_gflops: flops / (torch.train_ms * 1e6),
        rss_mb: ours.rss_mb,
        torch_rss_mb: torch.rss_mb,
        phases_ms: ours.phases,
        profile: ours.profile,
        torch_profile: torch.profile,
      };
      rows.push(row);
      console.log(
        `${shape.name}: ${ours.params} params, batch ${shape.batch}x${shape.seq}, ${spec.steps} steps after ${spec.warmup} warmup, ${rounds} round(s); ` +
          `ours ${JSON.stringify(ours.backend)}`,
      );
      console.log(
        `   train ms ours [${ours.train_ms_all.join(", ")}]  torch [${torch.train_ms_all.join(", ")}]` +
          `\n   sample tok/s ours [${ours.sample_tok_s_all.join(", ")}]  torch [${torch.sample_tok_s_all.join(", ")}]` +
          `\n   our step phases (median ms): forward ${fmt(ours.phases!.forward)}, backward ${fmt(ours.phases!.backward)}, AdamW ${fmt(ours.phases!.optimizer)}`,
      );
    }
  }

  console.log("");
  printTable(rows);
  if (profile) printProfiles(rows);
  console.log("\ntargets (informational):");
  for (const r of rows) {
    const checks = [
      `train ${fmt(r.train_speedup, 2)}x vs target ${TARGETS.trainSpeedup}x ${r.train_speedup >= TARGETS.trainSpeedup ? "met" : "MISSED"}`,
      `sample ${fmt(r.sample_speedup, 2)}x vs target ${TARGETS.sampleSpeedup}x ${r.sample_speedup >= TARGETS.sampleSpeedup ? "met" : "MISSED"}`,
    ];
    if (r.shape === "S" && r.env === "unset") {
      checks.push(
        `${fmt(r.gflops)} GFLOP/s vs target ${TARGETS.gflopsS} ${r.gflops >= TARGETS.gflopsS ? "met" : "MISSED"}`,
      );
    }
    console.log(`  ${r.shape}/${r.env}: ${checks.join("; ")}`);
  }
  console.log(
    JSON.stringify(
      rows.map(({ phases_ms: _p, torch_gflops: _g, profile: _k, torch_profile: _t, ...r }) => ({
        ...r,
        train_ms: round(r.train_ms),
        torch_train_ms: round(r.torch_train_ms),
        train_speedup: round(r.train_speedup, 3),
        sample_tok_s: round(r.sample_tok_s),
        torch_sample_tok_s: round(r.torch_sample_tok_s),
        sample_speedup: round(r.sample_speedup, 3),
        gflops: round(r.gflops),
        rss_mb: round(r.rss_mb),
        torch_rss_mb: round(r.torch_rss_mb),
      })),
    ),
  );
}

/** Per shape and environment: our kernels' ms per training step and over the sampling run, largest first. */
function printProfiles(rows: Row[]): void {
  for (const r of rows) {
    if (!r.profile) continue;
    console.log(`\nprofile ${r.shape}/${r.env} (our GEMM: ${r.gemm})`);
    printKernels("train", "ms per training step", r.profile.train);
    if (r.profile.sample) printKernels("sample", "ms over the sampling run", r.profile.sample);
    if (r.torch_profile)
      printKernels("torch train", "ms per training step, aten self time", r.torch_profile.train);
  }
  console.log(
    "\ntraining step split (ms): linear-layer GEMMs | everything else, ours vs torch (profiled steps)",
  );
  for (const r of rows) {
    if (!r.profile || !r.torch_profile) continue;
    const ours = gemmSplit(r.profile.train, OUR_GEMM_KERNELS);
    const torch = gemmSplit(r.torch_profile.train, TORCH_GEMM_OPS);
    console.log(
      `  ${r.shape}/${r.env}: GEMMs ${fmt(ours.gemm)} vs ${fmt(torch.gemm)} (${fmt(torch.gemm / ours.gemm, 2)}x); ` +
        `rest ${fmt(ours.rest)} vs ${fmt(torch.rest)} (${fmt(torch.rest / ours.rest, 2)}x)`,
    );
  }
}

function printKernels(phase: string, what: string, profile: KernelProfile, top = 12): void {
  const entries = Object.entries(profile).sort((a, b) => b[1].ms - a[1].ms);
  const total = entries.reduce((n, [, k]) => n + k.ms, 0);
  console.log(`  ${phase} (${fmt(total)} ${what}):`);
  for (const [name, k] of entries.slice(0, top)) {
    const calls = k.calls > 0 ? `  ${fmt(k.calls, 0)} calls` : "";
    console.log(
      `    ${name.padEnd(30)} ${fmt(k.ms).padStart(8)}  ${fmt((100 * k.ms) / total).padStart(5)}%${calls}`,
    );
  }
}

function gemmSplit(profile: KernelProfile, gemmNames: string[]): { gemm: number; rest: number } {
  let gemm = 0;
  let rest = 0;
  for (const [name, k] of Object.entries(profile)) {
    if (gemmNames.includes(name)) gemm += k.ms;
    else rest += k.ms;
  }
  return { gemm, rest };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main(process.argv.slice(2));
