// The LM head runs only on positions with a target unless every logit is asked for. Both paths must
// give the same log-probs, entropies and gradients (positions without a target contribute nothing).
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const tied of [true, false]) {
  test(`the head on target rows only matches the head on every row (${tied ? "tied" : "untied"} head)`, () => {
    const config = makeConfig({
      vocab_size: 97,
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      tie_word_embeddings: tied,
    });
    const model = LlamaModel.create(config, { seed: 5, backend: loadBackend(), initStd: 0.2 });
    const rng = new Rng(9);
    const B = 3;
    const T = 12;
    const tokens = Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size));
    // a prompt of 7 then targets, the last row padded after 10: 13 of 36 positions have a target
    const targets = Int32Array.from({ length: B * T }, (_, i) =>
      i % T < 7 || i >= 2 * T + 10 ? -1 : rng.int(config.vocab_size),
    );
    const dlogp = Float32Array.from({ length: B * T }, () => rng.normal());
    const dent = Float32Array.from({ length: B * T }, () => rng.normal());

    const run = (allLogits: boolean) => {
      model.zeroGrad();
      const out = model.forward(tokens, targets, B, T, { allLogits });
      const logprobs = out.logprobs.slice();
      const entropy = out.entropy.slice();
      model.backward(dlogp, dent);
      const grads = [...model.params.values()].map((p) => p.grad!.slice());
      return { logprobs, entropy, grads };
    };
    const full = run(true);
    const sel = run(false);
    assert.ok(maxAbsDiff(full.logprobs, sel.logprobs) < 1e-5);
    assert.ok(maxAbsDiff(full.entropy, sel.entropy) < 1e-5);
    for (let n = 0; n < B * T; n++) {
      if (targets[n]! < 0) assert.deepEqual([sel.logprobs[n], sel.entropy[n]], [0, 0]);
      else assert.ok(sel.entropy[n]! > 0);
    }
    [...model.params.values()].forEach((p, i) => {
      const scale = Math.max(1e-3, ...Array.from(full.grads[i]!, Math.abs));
      assert.ok(maxAbsDiff(full.grads[i]!, sel.grads[i]!) / scale < 1e-4, p.name);
    });
  });
}
