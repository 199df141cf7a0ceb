import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { computeAdvantages, groupAdvantages, sampleStd } from "../src/rl/advantages.js";
import { aggregate, LOSS_AGGREGATIONS, sequenceWeights } from "../src/rl/aggregation.js";
import { groupIsInformative } from "../src/rl/dynamic-sampling.js";
import { KL_ESTIMATORS, klGrad, klValue } from "../src/rl/kl.js";
import { overlongPenalty } from "../src/rl/overlong.js";
import { packSequences } from "../src/rl/packing.js";
import {
  batchPolicyLoss,
  type PolicyLossConfig,
  ppoClipToken,
  type SequenceLossInput,
} from "../src/rl/policy-loss.js";

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);
const closeAll = (a: readonly number[], b: readonly number[], tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) close(a[i]!, b[i]!, tol);
};

test("grpo advantages are (r - mean) / (sample std + eps)", () => {
  // rewards 1,0,0,1: mean 0.5, sample std sqrt(1/3) = 0.577350
  closeAll(groupAdvantages([1, 0, 0, 1], "grpo", 0), [0.866025, -0.866025, -0.866025, 0.866025]);
  close(sampleStd([1, 0, 0, 1]), Math.sqrt(1 / 3), 1e-12);
  // eps enters the denominator
  closeAll(groupAdvantages([2, 0], "grpo", 0.5), [1 / (Math.SQRT2 + 0.5), -1 / (Math.SQRT2 + 0.5)]);
});

test("dr_grpo advantages drop the std; rloo uses the leave-one-out mean", () => {
  closeAll(groupAdvantages([1, 0, 0, 1], "dr_grpo"), [0.5, -0.5, -0.5, 0.5]);
  closeAll(groupAdvantages([3, 1, 2], "rloo"), [1.5, -1.5, 0]);
  closeAll(groupAdvantages([1, 0, 0, 1], "rloo"), [2 / 3, -2 / 3, -2 / 3, 2 / 3]);
});

test("constant groups and singleton groups get zero advantages", () => {
  for (const kind of ["grpo", "dr_grpo", "rloo"] as const) {
    closeAll(groupAdvantages([0.7, 0.7, 0.7], kind), [0, 0, 0]);
    closeAll(groupAdvantages([5], kind), [0]);
  }
});

test("advantages are computed per group id, groups need not be contiguous", () => {
  const adv = computeAdvantages([1, 10, 0, 20], [7, 9, 7, 9], "dr_grpo");
  closeAll(adv, [0.5, -5, -0.5, 5]);
  assert.throws(() => computeAdvantages([1], [1, 2], "grpo"), /1 rewards but 2 group ids/);
});

test("k1 and k3 KL estimators and their derivatives, hand-worked", () => {
  // logp = -1, ref = -2: k1 = 1; k3 = e^-1 + 1 - 1 = 0.367879; dk3/dlogp = 1 - e^-1
  close(klValue(-1, -2, "k1"), 1);
  close(klValue(-1, -2, "k3"), Math.exp(-1));
  close(klGrad(-1, -2, "k1"), 1);
  close(klGrad(-1, -2, "k3"), 1 - Math.exp(-1));
  // equal policies: zero KL, zero k3 gradient
  close(klValue(-0.3, -0.3, "k3"), 0);
  close(klGrad(-0.3, -0.3, "k3"), 0);
  // k3 is never negative
  for (const d of [-3, -0.5, 0.5, 3]) assert.ok(klValue(0, d, "k3") >= 0);
});

test("PPO clip selects the pessimistic term; clipped tokens give no gradient", () => {
  const cl = 0.2;
  const ch = 0.28;
  // A > 0, ratio 1.5 above 1 + clip_high: loss -1.28, clipped
  let r = ppoClipToken(Math.log(1.5), 0, 1, cl, ch);
  close(r.pg, -1.28);
  close(r.dpg, 0);
  assert.equal(r.clipped, true);
  // A > 0, ratio 0.5 below the range: the unclipped term (-0.5) is larger, gradient -A * ratio
  r = ppoClipToken(Math.log(0.5), 0, 1, cl, ch);
  close(r.pg, -0.5);
  close(r.dpg, -0.5);
  assert.equal(r.clipped, false);
  // A < 0, ratio 0.5: clipped at 0.8 -> loss 0.8, no gradient
  r = ppoClipToken(Math.log(0.5), 0, -1, cl, ch);
  close(r.pg, 0.8);
  close(r.dpg, 0);
  assert.equal(r.clipped, true);
  // A < 0, ratio 1.5: unclipped loss 1.5 is larger, gradient -A * ratio = 1.5
  r = ppoClipToken(Math.log(1.5), 0, -1, cl, ch);
  close(r.pg, 1.5);
  close(r.dpg, 1.5);
  // on-policy (ratio 1): loss -A, gradient -A
  r = ppoClipToken(-2, -2, 0.7, cl, ch);
  close(r.pg, -0.7);
  close(r.dpg, -0.7);
});

test("aggregation modes weigh tokens and sequences as documented", () => {
  const values = [[2], [1, 1, 1]];
  close(aggregate(values, "token-mean"), 5 / 4);
  close(aggregate(values, "seq-mean-token-mean"), (2 + 1) / 2);
  close(aggregate(values, "seq-mean-token-sum-norm", 4), 5 / (2 * 4));
  // empty sequences get no weight and do not count as sequences
  closeAll(sequenceWeights([0, 2, 2], "seq-mean-token-mean"), [0, 0.25, 0.25]);
  closeAll(sequenceWeights([0, 0], "token-mean"), [0, 0]);
});

function randomBatch(rng: Rng, withRef: boolean): SequenceLossInput[] {
  return [3, 1, 5, 2]
    .map((n) => ({
      logp: Array.from({ length: n }, () => -0.2 - 2 * rng.next()),
      oldLogp: [] as number[],
      refLogp: withRef ? Array.from({ length: n }, () => -0.2 - 2 * rng.next()) : undefined,
      entropy: Array.from({ length: n }, () => rng.next()),
      advantage: rng.normal(),
    }))
    .map((s) => ({ ...s, oldLogp: s.logp.map((l) => l + 0.4 * (rng.next() - 0.5)) }));
}

test("dL/dlogprob matches central finite differences of the loss (every aggregation and estimator)", () => {
  const rng = new Rng(11);
  let checked = 0;
  for (const aggregation of LOSS_AGGREGATIONS) {
    for (const klEstimator of KL_ESTIMATORS) {
      for (const klCoef of [0, 0.3]) {
        const cfg: PolicyLossConfig = {
          clipLow: 0.1,
          clipHigh: 0.15,
          klCoef,
          klEstimator,
          entropyCoef: 0.01,
        };
        const seqs = randomBatch(rng, klCoef > 0);
        const { dlogp } = batchPolicyLoss(seqs, cfg, aggregation, 6);
        const h = 1e-6;
        seqs.forEach((s, i) => {
          for (let t = 0; t < s.logp.length; t++) {
            const at = (delta: number) => {
              const moved = seqs.map((q, j) =>
                j === i ? { ...q, logp: Array.from(q.logp, (v, k) => (k === t ? v + delta : v)) } : q,
              );
              return batchPolicyLoss(moved, cfg, aggregation, 6).loss;
            };
            const numeric = (at(h) - at(-h)) / (2 * h);
            close(dlogp[i]![t]!, numeric, 1e-6);
            checked++;
          }
        });
      }
    }
  }
  assert.equal(checked, 3 * 2 * 2 * 11);
});

test("some tokens are clipped in the finite-difference batches (the check covers both branches)", () => {
  const seqs = randomBatch(new Rng(11), false);
  const r = batchPolicyLoss(
    seqs,
    { clipLow: 0.1, clipHigh: 0.15, klCoef: 0, klEstimator: "k3", entropyCoef: 0 },
    "token-mean",
  );
  assert.ok(r.clipFraction > 0 && r.clipFraction < 1, `clip fraction ${r.clipFraction}`);
});

test("dynamic sampling keeps only groups whose raw metric varies", () => {
  assert.equal(groupIsInformative([1, 1, 1, 1]), false);
  assert.equal(groupIsInformative([0, 0, 0]), false);
  assert.equal(groupIsInformative([0, 1, 0]), true);
  assert.equal(groupIsInformative([0.5, 0.5 + 1e-12]), false);
  assert.equal(groupIsInformative([1]), false);
});

test("overlong penalty is 0 before the buffer, linear inside it, -penalty at the limit", () => {
  close(overlongPenalty(40, 64, 16), 0);
  close(overlongPenalty(48, 64, 16), 0);
  close(overlongPenalty(56, 64, 16), -0.5);
  close(overlongPenalty(64, 64, 16), -1);
  close(overlongPenalty(64, 64, 16, 0.5), -0.5);
  close(overlongPenalty(64, 64, 0), -1);
});

test("packing puts response targets after the prompt and pads with ignored targets", () => {
  const b = packSequences([
    { promptIds: [5, 6], responseIds: [7, 8] },
    { promptIds: [9], responseIds: [3] },
  ]);
  assert.equal(b.T, 3);
  assert.deepEqual([...b.tokens], [5, 6, 7, 9, 0, 0]);
  assert.deepEqual([...b.targets], [-1, 7, 8, 3, -1, -1]);
  assert.deepEqual(b.spans, [
    { start: 1, length: 2 },
    { start: 3, length: 1 },
  ]);
});
