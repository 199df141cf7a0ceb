// The engine trains attention that copies from context. Gradient checks and torch parity prove one
// step right; this proves the whole loop (forward, backward, AdamW, RoPE over positions) can learn an
// induction task: a random span, a separator, the same span again. Predicting the second copy is only
// possible by attending back to the first (chance: ln 61 = 4.11 nats per token).
import assert from "node:assert/strict";
import { test } from "node:test";
import { randomSpanCopyBatches } from "../src/embedded/copy-task.js";
import { trainPhase } from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";

test("a 2-layer model learns to copy a random 16-token span it has seen once", () => {
  const backend = loadBackend();
  const config = makeConfig({
    vocab_size: 64,
    hidden_size: 64,
    intermediate_size: 256,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 2,
    max_position_embeddings: 64,
    rope_theta: 10000,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: true,
    bos_token_id: 1,
    eos_token_id: 2,
    pad_token_id: 0,
  });
  const model = LlamaModel.create(config, { seed: 0, backend });
  const span = 16;
  const log = trainPhase(
    model,
    backend,
    randomSpanCopyBatches(span, 8, { lo: 3, hi: 64, separator: 2 }, new Rng(1)),
    {
      name: "copy",
      steps: 400,
      lr: 3e-3,
      minLr: 3e-4,
      warmupSteps: 20,
      B: 8,
      T: 2 * span + 1,
      weightDecay: 0,
      maxGradNorm: 1,
    },
    () => {},
  );
  assert.ok(log.firstLoss > 3.5, `starts near chance: ${log.firstLoss}`);
  assert.ok(log.finalLoss < 0.05, `copies: final loss ${log.finalLoss}`);
});
