// Parity with an independent PyTorch implementation (test/parity/torch_llama.py): the same weights,
// written as a HF model directory, give the same logits, loss, gradients and AdamW update.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Rng } from "../src/engine/rng.js";
import { type LlamaConfig, makeConfig } from "../src/models/config.js";
import { writeHfModelDir } from "../src/models/hf-model.js";
import { LlamaModel } from "../src/models/llama.js";
import { readSafetensors, type Tensor, writeSafetensors } from "../src/models/safetensors.js";
import { tempDir } from "./helpers/temp-dir.js";

const PYTHON = "/usr/bin/python3";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPT = join(ROOT, "test", "parity", "torch_llama.py");

const ADAMW = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

/** Weight decay applies to matrices (dim >= 2), not to norm weights and biases, as usual. */
const decays = (shape: number[]) => shape.length >= 2;

interface Comparison {
  name: string;
  maxDiff: number;
  scale: number;
}

/** max |a - b| and max |b| over a tensor. */
function compare(name: string, ours: ArrayLike<number>, theirs: Float32Array): Comparison {
  assert.equal(ours.length, theirs.length, `${name}: length`);
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < theirs.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - theirs[i]!));
    scale = Math.max(scale, Math.abs(theirs[i]!));
  }
  return { name, maxDiff, scale };
}

/** What our engine computed for one case, to compare with what torch writes next to it. */
interface Case {
  label: string;
  dir: string;
  config: LlamaConfig;
  logits: Float32Array;
  loss: number;
  grads: Map<string, Float32Array>;
  /** Weights after one AdamW step of the backend's kernel from our gradients. */
  stepped: Map<string, Float32Array>;
}

/** Writes the model directory and inputs for torch, and computes our side of the comparison. */
function prepareCase(root: string, label: string, config: LlamaConfig, T = 9): Case {
  const dir = join(root, label);
  const model = LlamaModel.create(config, { seed: 7, initStd: 0.1 });
  const tensors = new Map<string, Tensor>();
  for (const p of model.params.values()) tensors.set(p.name, { shape: p.shape, data: p.data.slice() });
  writeHfModelDir(dir, config, tensors);

  // a batch with some positions masked out of the loss (target -1)
  const B = 3;
  const rng = new Rng(1);
  const tokens = Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size));
  const mask: number[] = Array.from({ length: B * T }, (_, i) => (i % T < 2 || i % 9 === 5 ? 0 : 1));
  const targets = Int32Array.from({ length: B * T }, (_, i) => (mask[i] ? rng.int(config.vocab_size) : -1));
  const count = mask.reduce((a, b) => a + b, 0);

  // ours: logits, then loss = masked mean of -log p(target), then the gradients of that loss
  const logits = model.logits(tokens, B, T);
  model.zeroGrad();
  const { logprobs } = model.forward(tokens, targets, B, T);
  let loss = 0;
  for (let i = 0; i < B * T; i++) loss -= mask[i]! * logprobs[i]!;
  loss /= count;
  model.backward(Float32Array.from(mask, (m) => -m / count));
  const grads = new Map<string, Float32Array>();
  for (const p of model.params.values()) {
    assert.ok(p.grad, `${p.name} has no gradient`);
    grads.set(p.name, p.grad.slice());
  }
  // one AdamW step from zero moments, through the backend's AdamW kernel
  const stepped = new Map<string, Float32Array>();
  for (const p of model.params.values()) {
    const n = p.data.length;
    const wd = decays(p.shape) ? ADAMW.weightDecay : 0;
    const data = p.data.slice();
    const [m, v] = [new Float32Array(n), new Float32Array(n)];
    model.backend.adamwStep(data, p.grad!, m, v, n, ADAMW.lr, ADAMW.beta1, ADAMW.beta2, ADAMW.eps, wd, 1, 1);
    stepped.set(p.name, data);
  }

  const gradsFile = join(dir, "ours-grads.safetensors");
  writeSafetensors(
    gradsFile,
    new Map([...grads].map(([name, g]) => [name, { shape: model.params.get(name)!.shape, data: g }])),
  );
  const noDecay = [...model.params.values()].filter((p) => !decays(p.shape)).map((p) => p.name);
  writeFileSync(
    join(dir, "inputs.json"),
    JSON.stringify({
      B,
      T,
      tokens: [...tokens],
      targets: [...targets],
      mask,
      dtype: "float64",
      adamw: {
        lr: ADAMW.lr,
        beta1: ADAMW.beta1,
        beta2: ADAMW.beta2,
        eps: ADAMW.eps,
        weight_decay: ADAMW.weightDecay,
        no_decay: noDecay,
        grads: gradsFile,
      },
    }),
  );
  return { label, dir, config, logits, loss, grads, stepped };
}

/** Compares one case with torch's output; tolerances are relative to each tensor's scale (f32 vs f64). */
function checkCase(t: TestContext, c: Case): void {
  const torch = readSafetensors(join(c.dir, "torch.safetensors"));
  const get = (name: string) => {
    const x = torch.get(name);
    assert.ok(x, `torch output lacks ${name}`);
    return x.data;
  };
  const results: Comparison[] = [
    compare("logits", c.logits, get("logits")),
    compare("loss", [c.loss], get("loss")),
  ];
  for (const [name, g] of c.grads) results.push(compare(`grad.${name}`, g, get(`grad.${name}`)));
  for (const [name, w] of c.stepped) results.push(compare(`adamw.${name}`, w, get(`adamw.${name}`)));
  assert.equal(results.length, 2 + 2 * c.grads.size);

  const rel = (r: Comparison) => r.maxDiff / (r.scale + 1e-12);
  const worst = results.reduce((a, r) => (rel(r) > rel(a) ? r : a));
  t.diagnostic(
    `${c.label}: ${results.length} tensors compared; worst relative error ${worst.name} ${rel(worst).toExponential(2)}`,
  );
  for (const r of results) {
    const tol = 1e-6 + 5e-5 * r.scale;
    assert.ok(
      r.maxDiff <= tol,
      `${c.label}: ${r.name} differs by ${r.maxDiff} (scale ${r.scale}, tolerance ${tol})`,
    );
  }
  assert.ok(Math.abs(c.loss - Math.log(c.config.vocab_size)) < 1, "loss is near log(V) for a random model");
}

const CONFIGS: Record<string, LlamaConfig> = {
  "qwen2-gqa-bias-untied": makeConfig({
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    vocab_size: 53,
    hidden_size: 48,
    intermediate_size: 80,
    num_hidden_layers: 2,
    num_attention_heads: 6,
    num_key_value_heads: 2,
    rope_theta: 1000,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: false,
  }),
  "llama-tied-nobias": makeConfig({
    architectures: ["LlamaForCausalLM"],
    vocab_size: 40,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 3,
    num_attention_heads: 4,
    rope_theta: 10000,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: true,
  }),
};

const LONG_T = 200;

// Our side of every case is computed up front; torch then runs once over all of them (its import is slow).
const root = tempDir("omni-parity-");
const cases = new Map<string, Case>();
let torchRun: { status: number | null; stderr: string } | null = null;

before(() => {
  for (const [label, config] of Object.entries(CONFIGS)) cases.set(label, prepareCase(root, label, config));
  // the training sequence length's regime: attention over a long causal window, the native kernels' tiling
  cases.set("llama-long", prepareCase(root, "llama-long", CONFIGS["llama-tied-nobias"]!, LONG_T));
  const r = spawnSync(PYTHON, [SCRIPT, "parity", ...[...cases.values()].map((c) => c.dir)], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
  });
  torchRun = { status: r.error ? null : r.status, stderr: r.stderr ?? String(r.error) };
});

after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the comparison, or skips visibly when python3-torch is missing. */
function parityTest(t: TestContext, label: string): void {
  assert.ok(torchRun);
  if (torchRun.status === 77 || torchRun.status === null) {
    const why = torchRun.stderr.trim().split("\n").at(-1);
    t.skip(`python3-torch not installed: \`${PYTHON} -c "import torch"\` failed (${why})`);
    return;
  }
  assert.equal(torchRun.status, 0, `torch_llama.py failed:\n${torchRun.stderr}`);
  checkCase(t, cases.get(label)!);
}

test("GQA with q/k/v bias and an untied head matches PyTorch: logits, loss, every gradient, one AdamW step", (t) => {
  const c = CONFIGS["qwen2-gqa-bias-untied"]!;
  assert.ok(c.qkv_bias && !c.tie_word_embeddings && c.num_key_value_heads < c.num_attention_heads);
  parityTest(t, "qwen2-gqa-bias-untied");
});

test("a tied-embedding Llama without bias matches PyTorch: logits, loss, every gradient, one AdamW step", (t) => {
  const c = CONFIGS["llama-tied-nobias"]!;
  assert.ok(!c.qkv_bias && !c.o_bias && c.tie_word_embeddings);
  parityTest(t, "llama-tied-nobias");
});

test(`a ${LONG_T}-token sequence matches PyTorch: logits, loss, every gradient, one AdamW step`, (t) => {
  parityTest(t, "llama-long");
});
