// Depth up-scaling: every layer repeated, the repeats' output projections zeroed, so the deeper model
// starts with the original's logits; training then moves the repeats (their output projections get a
// gradient at once).
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { deepenModel } from "../src/models/deepen.js";
import { LlamaModel } from "../src/models/llama.js";

const config = makeConfig({
  vocab_size: 61,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  attention_bias: true,
  tie_word_embeddings: false,
});

test("a deepened model has factor x the layers and the original's logits", () => {
  const model = LlamaModel.create(config, { seed: 3, backend: loadBackend("reference"), initStd: 0.2 });
  const deep = deepenModel(model, 3);
  assert.equal(deep.config.num_hidden_layers, 6);
  assert.equal(model.config.num_hidden_layers, 2, "the original config is untouched");
  assert.ok(deep.params.has("model.layers.5.mlp.down_proj.weight"));
  const rng = new Rng(4);
  const B = 2;
  const T = 9;
  const tokens = Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size));
  const a = model.logits(tokens, B, T);
  const b = deep.logits(tokens, B, T);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  assert.ok(diff < 1e-9, `max logit difference ${diff}`);
  // fresh copies: training the deep model leaves the original alone
  assert.notEqual(
    deep.weight("model.layers.0.self_attn.q_proj.weight"),
    model.weight("model.layers.0.self_attn.q_proj.weight"),
  );
});

test("a repeat's output projection starts at zero and gets a gradient", () => {
  const model = LlamaModel.create(config, { seed: 3, backend: loadBackend("reference"), initStd: 0.2 });
  const deep = deepenModel(model, 2);
  const o = deep.params.get("model.layers.1.self_attn.o_proj.weight")!;
  const down = deep.params.get("model.layers.3.mlp.down_proj.weight")!;
  assert.ok(o.data.every((x) => x === 0) && down.data.every((x) => x === 0));
  assert.ok(deep.params.get("model.layers.1.self_attn.o_proj.bias")!.data.every((x) => x === 0));
  const first = deep.params.get("model.layers.0.self_attn.o_proj.weight")!;
  assert.ok(
    first.data.some((x) => x !== 0),
    "the first copy keeps its weights",
  );
  const rng = new Rng(8);
  const tokens = Int32Array.from({ length: 8 }, () => rng.int(config.vocab_size));
  const targets = Int32Array.from({ length: 8 }, () => rng.int(config.vocab_size));
  deep.zeroGrad();
  deep.trainStepLoss(tokens, targets, 1, 8);
  assert.ok(o.grad!.some((g) => g !== 0) && down.grad!.some((g) => g !== 0));
});

test("deepen rejects a factor that is not a positive integer", () => {
  const model = LlamaModel.create(config, { seed: 1, backend: loadBackend("reference") });
  assert.throws(() => deepenModel(model, 0), /factor must be an integer >= 1/);
  assert.throws(() => deepenModel(model, 1.5), /factor must be an integer >= 1/);
});
