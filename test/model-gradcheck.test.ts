// Whole-model finite-difference gradient checks on the reference backend, over the architecture
// variants: MHA/GQA, with/without q/k/v (and o) bias, tied/untied LM head. The loss mixes log-probs and
// entropies with random weights, L = sum_t w_t logprob_t + u_t entropy_t, exercising both backward paths.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ReferenceBackend } from "../src/engine/reference.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";
import { checkGradient, dot, randomArray } from "./helpers/gradcheck.js";

const variants = [
  { label: "MHA, no bias, tied head", kv: 4, arch: "LlamaForCausalLM", bias: false, tied: true },
  { label: "GQA, q/k/v bias (Qwen2), untied head", kv: 2, arch: "Qwen2ForCausalLM", bias: true, tied: false },
  {
    label: "MQA, q/k/v/o bias (Llama attention_bias), tied head",
    kv: 1,
    arch: "LlamaForCausalLM",
    bias: true,
    tied: true,
  },
  { label: "MHA, no bias, untied head", kv: 4, arch: "LlamaForCausalLM", bias: false, tied: false },
];

for (const v of variants) {
  test(`whole-model gradients match finite differences: ${v.label}`, () => {
    const config = makeConfig({
      architectures: [v.arch],
      vocab_size: 11,
      hidden_size: 16,
      intermediate_size: 24,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: v.kv,
      tie_word_embeddings: v.tied,
      ...(v.arch === "LlamaForCausalLM" ? { attention_bias: v.bias } : {}),
    });
    assert.equal(config.qkv_bias, v.bias);
    // a larger init than usual so every nonlinearity is exercised away from its linear regime
    const model = LlamaModel.create(config, { seed: 3, backend: new ReferenceBackend(), initStd: 0.3 });
    const rng = new Rng(11);
    for (const p of model.params.values()) {
      if (p.name.endsWith(".bias") || p.name.endsWith("norm.weight")) {
        for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i]! + rng.normal() * 0.3;
      }
    }
    const B = 2;
    const T = 5;
    const tokens = Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size));
    const targets = Int32Array.from({ length: B * T }, (_, i) =>
      i % 4 === 3 ? -1 : rng.int(config.vocab_size),
    );
    const wl = randomArray(rng, B * T);
    const we = randomArray(rng, B * T, 0.5);
    const loss = () => {
      const { logprobs, entropy } = model.forward(tokens, targets, B, T);
      return dot(logprobs, wl) + dot(entropy, we);
    };
    model.zeroGrad();
    loss();
    model.backward(wl, we);
    let checked = 0;
    for (const p of model.params.values()) {
      const analytic = p.grad!.slice();
      checked += checkGradient(p.name, p.data, analytic, loss, {
        eps: 1e-3,
        atol: 5e-4,
        rtol: 2e-2,
        sample: 4,
        rng,
      });
    }
    assert.ok(checked >= 4 * model.params.size - 8);
    if (v.tied) assert.equal(model.params.has("lm_head.weight"), false);
    else assert.equal(model.params.has("lm_head.weight"), true);
    assert.equal(model.params.has("model.layers.0.self_attn.o_proj.bias"), config.o_bias);
  });
}

test("trainStepLoss is the masked mean cross-entropy and its gradient", () => {
  const config = makeConfig({
    vocab_size: 9,
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 1,
    num_attention_heads: 2,
  });
  const model = LlamaModel.create(config, { seed: 5, backend: new ReferenceBackend(), initStd: 0.3 });
  const tokens = Int32Array.from([1, 2, 3, 4, 5, 6]);
  const targets = Int32Array.from([2, 3, -1, 5, 6, 7]);
  model.zeroGrad();
  const loss = model.trainStepLoss(tokens, targets, 2, 3);
  const logits = model.logits(tokens, 2, 3);
  let expected = 0;
  for (let n = 0; n < 6; n++) {
    if (targets[n]! < 0) continue;
    const row = Array.from(logits.subarray(n * 9, n * 9 + 9));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
    expected += lse - row[targets[n]!]!;
  }
  expected /= 5;
  assert.ok(Math.abs(loss - expected) < 1e-5, `${loss} vs ${expected}`);
  const w = model.params.get("model.layers.0.mlp.up_proj.weight")!;
  const analytic = w.grad!.slice();
  checkGradient(
    "up_proj",
    w.data,
    analytic,
    () => {
      const { logprobs } = model.forward(tokens, targets, 2, 3);
      return -logprobs.reduce((s, x) => s + x, 0) / 5;
    },
    { sample: 8 },
  );
});
