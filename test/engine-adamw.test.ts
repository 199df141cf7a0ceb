// AdamW, gradient clipping, the LR schedule and parameter freezing, against hand-worked numbers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AdamW, clipGradNorm, globalGradNorm } from "../src/engine/adamw.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { learningRateAt } from "../src/engine/lr-schedule.js";
import type { ParamTensor } from "../src/engine/param.js";
import { ReferenceBackend } from "../src/engine/reference.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";

const be = new ReferenceBackend();

function param(name: string, shape: number[], data: number[], grad: number[]): ParamTensor {
  return { name, shape, data: Float32Array.from(data), grad: Float32Array.from(grad) };
}

test("two AdamW steps match the hand-computed update, with weight decay on matrices only", () => {
  const w = param("w", [1, 1], [1], [0.5]);
  const b = param("b", [1], [1], [0.5]);
  const opt = new AdamW([w, b], be, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
  opt.update(0.1);
  // m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25: step = 0.5 / 0.5 = 1
  // w: 1 - 0.1 * (1 + 0.01 * 1) = 0.899;  b (1-D, no decay): 1 - 0.1 = 0.9
  assert.ok(Math.abs(w.data[0]! - 0.899) < 1e-6, `w = ${w.data[0]}`);
  assert.ok(Math.abs(b.data[0]! - 0.9) < 1e-6, `b = ${b.data[0]}`);
  w.grad![0] = -0.5;
  opt.update(0.1);
  // m = -0.005, v = 0.00049975, m^ = -0.005 / 0.19 = -0.0263158, v^ = 0.00049975 / 0.001999 = 0.25
  // w: 0.899 - 0.1 * (-0.0526316 + 0.01 * 0.899) = 0.9033642
  assert.ok(Math.abs(w.data[0]! - 0.9033642) < 1e-6, `w = ${w.data[0]}`);
  assert.equal(opt.step, 2);
  assert.equal(opt.appliesDecay("w"), true);
  assert.equal(opt.appliesDecay("b"), false);
});

test("noDecay patterns override the 1-D default", () => {
  const opt = new AdamW(
    [param("model.norm.weight", [2], [1, 1], [0, 0]), param("lm_head.weight", [2, 1], [1, 1], [0, 0])],
    be,
    {
      noDecay: ["lm_head.*"],
    },
  );
  assert.equal(opt.appliesDecay("model.norm.weight"), true);
  assert.equal(opt.appliesDecay("lm_head.weight"), false);
});

test("clipping by global norm returns the pre-clip norm and rescales to the limit", () => {
  const a = param("a", [1], [0], [3]);
  const b = param("b", [1], [0], [4]);
  assert.equal(globalGradNorm([a, b], be), 5);
  assert.equal(clipGradNorm([a, b], 1, be), 5);
  assert.ok(Math.abs(a.grad![0]! - 0.6) < 1e-5 && Math.abs(b.grad![0]! - 0.8) < 1e-5);
  assert.ok(Math.abs(globalGradNorm([a, b], be) - 1) < 1e-5);
  // within the limit: untouched
  assert.ok(Math.abs(clipGradNorm([a, b], 2, be) - 1) < 1e-5);
  assert.ok(Math.abs(a.grad![0]! - 0.6) < 1e-5);
});

test("AdamW.update with maxGradNorm equals clipping first, and leaves the grads unscaled", () => {
  const p1 = param("p", [1, 2], [1, 2], [30, -40]);
  const p2 = param("p", [1, 2], [1, 2], [30, -40]);
  const o1 = new AdamW([p1], be);
  const o2 = new AdamW([p2], be);
  assert.equal(o1.update(0.01, 1), 50);
  clipGradNorm([p2], 1, be);
  o2.update(0.01);
  assert.deepEqual(Array.from(p1.grad!), [30, -40]);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(p1.data[i]! - p2.data[i]!) < 1e-7);
});

test("warmup is linear up to the peak, then cosine decays to minLr and stays there", () => {
  const s = { lr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 };
  assert.ok(Math.abs(learningRateAt(1, s) - 0.1) < 1e-12);
  assert.ok(Math.abs(learningRateAt(5, s) - 0.5) < 1e-12);
  assert.equal(learningRateAt(10, s), 1);
  assert.ok(Math.abs(learningRateAt(60, s) - 0.55) < 1e-12); // halfway: (1 + 0.1) / 2
  assert.ok(Math.abs(learningRateAt(35, s) - (0.1 + (0.9 * (1 + Math.cos(Math.PI / 4))) / 2)) < 1e-12);
  assert.equal(learningRateAt(110, s), 0.1);
  assert.equal(learningRateAt(500, s), 0.1);
  assert.equal(
    learningRateAt(1, { lr: 2, warmupSteps: 0, totalSteps: 10 }),
    (2 * (1 + Math.cos(Math.PI / 10))) / 2,
  );
});

test("optimizer state exported after two steps and imported elsewhere continues identically", () => {
  const mk = () => param("w", [2, 2], [1, 2, 3, 4], [0.1, -0.2, 0.3, -0.4]);
  const a = mk();
  const oa = new AdamW([a], be);
  oa.update(0.01);
  oa.update(0.01);
  const saved = oa.exportState();
  assert.equal(saved.step, 2);
  const b = param("w", [2, 2], Array.from(a.data), [0.1, -0.2, 0.3, -0.4]);
  const ob = new AdamW([b], be);
  ob.importState(saved);
  oa.update(0.01);
  ob.update(0.01);
  assert.deepEqual(Array.from(b.data), Array.from(a.data));
  assert.throws(
    () => ob.importState({ step: 1, m: new Map([["nope", new Float32Array(4)]]), v: new Map() }),
    /m\["nope"\] names no parameter/,
  );
  assert.throws(
    () => ob.importState({ step: 1, m: new Map([["w", new Float32Array(3)]]), v: new Map() }),
    /has 3 elements, parameter has 4/,
  );
});

for (const backendName of ["reference", "native"] as const) {
  test(`frozen parameters get no gradient and stay bit-identical through training (${backendName})`, () => {
    const backend = loadBackend(backendName === "native" ? "auto" : "reference");
    const config = makeConfig({
      vocab_size: 13,
      hidden_size: 8,
      intermediate_size: 12,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      tie_word_embeddings: true,
    });
    const model = LlamaModel.create(config, { seed: 1, backend });
    model.freeze(["model.embed_tokens.*", /layernorm/, "model.layers.1.mlp.*"]);
    const frozen = [...model.params.values()].filter((p) => p.grad === null).map((p) => p.name);
    assert.deepEqual(frozen.sort(), [
      "model.embed_tokens.weight",
      "model.layers.0.input_layernorm.weight",
      "model.layers.0.post_attention_layernorm.weight",
      "model.layers.1.input_layernorm.weight",
      "model.layers.1.mlp.down_proj.weight",
      "model.layers.1.mlp.gate_proj.weight",
      "model.layers.1.mlp.up_proj.weight",
      "model.layers.1.post_attention_layernorm.weight",
    ]);
    const before = new Map([...model.params].map(([n, p]) => [n, p.data.slice()]));
    const opt = new AdamW(model.params, backend, { weightDecay: 0.1 });
    const tokens = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const targets = Int32Array.from([2, 3, 4, 5, 6, 7, 8, 9]);
    for (let s = 0; s < 3; s++) {
      model.zeroGrad();
      model.trainStepLoss(tokens, targets, 2, 4);
      opt.update(0.01, 1);
    }
    for (const [name, p] of model.params) {
      const same = p.data.every((x, i) => x === before.get(name)![i]);
      assert.equal(same, frozen.includes(name), `${name} ${same ? "unchanged" : "changed"}`);
    }
    model.unfreeze(["model.layers.1.mlp.*"]);
    assert.ok(model.params.get("model.layers.1.mlp.up_proj.weight")!.grad instanceof Float32Array);
  });
}
