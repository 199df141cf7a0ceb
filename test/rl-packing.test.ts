// Shared-prefix packing: the G responses of a prompt in one row that holds the prompt once, each
// response attending to the prompt and itself only (attention holes). It must give the same
// log-probs, entropies and gradients as one row per sequence, on both backends.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend } from "../src/engine/backend.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { ReferenceBackend } from "../src/engine/reference.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";
import {
  type PackableSequence,
  type PackedBatch,
  packSequences,
  packSharedPrefix,
} from "../src/rl/packing.js";

const rng = new Rng(21);
const ids = (n: number) => Array.from({ length: n }, () => rng.int(61));
const p1 = ids(6);
const p2 = ids(3);
const seqs: PackableSequence[] = [
  { promptIds: p1, responseIds: ids(4), group: 0 },
  { promptIds: p2, responseIds: ids(2), group: 1 },
  { promptIds: p1, responseIds: ids(1), group: 0 },
  { promptIds: p1, responseIds: ids(5), group: 0 },
  { promptIds: ids(4), responseIds: ids(3) }, // no group: a row of its own
  { promptIds: p2, responseIds: ids(6), group: 1 },
  { promptIds: p2, responseIds: [], group: 1 }, // an empty response keeps an empty span
];

test("packSharedPrefix lays out the prompt once per group, with positions and holes", () => {
  const b = packSharedPrefix(seqs);
  assert.equal(b.B, 3);
  // group 0: 5 prompt tokens + 4 + 1 + 5 response tokens
  assert.equal(b.T, 15);
  assert.deepEqual(Array.from(b.tokens.subarray(0, 6)), [...p1.slice(0, 5), p1[5]]);
  assert.deepEqual(b.spans[0], { start: 5, length: 4 });
  assert.deepEqual(b.spans[2], { start: 9, length: 1 });
  assert.deepEqual(b.spans[3], { start: 10, length: 5 });
  assert.equal(b.tokens[9], p1[5]); // each segment starts with the prompt's last token
  assert.deepEqual(Array.from(b.layout!.positions.subarray(9, 12)), [5, 5, 6]);
  assert.deepEqual(Array.from(b.layout!.holes.subarray(2 * 10, 2 * 11)), [5, 10]);
  assert.deepEqual(Array.from(b.targets.subarray(10, 15)), seqs[3]!.responseIds);
  assert.deepEqual(b.spans[6], { start: 15 + 2 + 2 + 6, length: 0 });
});

function responseValues(batch: PackedBatch, out: Float32Array): number[][] {
  return batch.spans.map((s) => Array.from(out.subarray(s.start, s.start + s.length)));
}

for (const [label, backend] of [
  ["native", loadBackend()],
  ["reference", new ReferenceBackend()],
] as [string, Backend][]) {
  test(`shared-prefix packing gives the same log-probs, entropies and gradients (${label})`, () => {
    const config = makeConfig({
      vocab_size: 61,
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
    });
    const model = LlamaModel.create(config, { seed: 2, backend, initStd: 0.2 });
    const weights = seqs.map((s) => s.responseIds.map(() => rng.normal()));
    const run = (batch: PackedBatch) => {
      model.zeroGrad();
      const { logprobs, entropy } = model.forward(batch.tokens, batch.targets, batch.B, batch.T, {
        layout: batch.layout,
      });
      const lp = responseValues(batch, logprobs);
      const ent = responseValues(batch, entropy);
      const d = new Float32Array(batch.B * batch.T);
      const de = new Float32Array(batch.B * batch.T);
      batch.spans.forEach((s, i) => {
        weights[i]!.forEach((w, k) => {
          d[s.start + k] = w;
          de[s.start + k] = 0.5 * w;
        });
      });
      model.backward(d, de);
      return { lp, ent, grads: [...model.params.values()].map((p) => p.grad!.slice()) };
    };
    const plain = run(packSequences(seqs));
    const shared = run(packSharedPrefix(seqs));
    seqs.forEach((_, i) => {
      plain.lp[i]!.forEach((x, k) => {
        assert.ok(Math.abs(x - shared.lp[i]![k]!) < 1e-5, `logprob ${i}.${k}`);
      });
      plain.ent[i]!.forEach((x, k) => {
        assert.ok(Math.abs(x - shared.ent[i]![k]!) < 1e-5, `entropy ${i}.${k}`);
      });
    });
    [...model.params.values()].forEach((p, j) => {
      const a = plain.grads[j]!;
      const b = shared.grads[j]!;
      let scale = 1e-3;
      let diff = 0;
      for (let i = 0; i < a.length; i++) {
        scale = Math.max(scale, Math.abs(a[i]!));
        diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      }
      assert.ok(diff / scale < 1e-4, `${p.name}: ${diff} vs scale ${scale}`);
    });
  });
}

test("an attention hole may not hide a query row's own position (both backends)", () => {
  for (const be of [loadBackend(), new ReferenceBackend()]) {
    const D = 2;
    const T = 3;
    const q = new Float32Array(T * D).fill(0.1);
    const holes = new Int32Array([0, 0, 0, 0, 1, 3]); // row 2 hides keys 1..2, its own included
    assert.throws(
      () =>
        be.attentionForward(
          new Float32Array(T * D),
          new Float32Array(T * T),
          q,
          q,
          q,
          1,
          T,
          T,
          1,
          1,
          D,
          0,
          holes,
        ),
      /hole/,
    );
  }
});
