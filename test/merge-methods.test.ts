import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { dareLinear, dareTies } from "../src/merge/dare.js";
import { linear } from "../src/merge/linear.js";
import { slerp } from "../src/merge/slerp.js";
import { dropAndRescale, keptCount, kthLargest, trimToTopMagnitude } from "../src/merge/sparsify.js";
import { taskArithmetic } from "../src/merge/task-arithmetic.js";
import { ties } from "../src/merge/ties.js";

const f32 = (xs: number[]) => Float32Array.from(xs);

function assertClose(actual: Float32Array, expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]!) <= tol, `[${i}]: expected ${expected[i]}, got ${v}`);
  });
}

test("linear: weighted average, normalized by the weight sum unless normalize is false", () => {
  const a = f32([1, 2, 3]);
  const b = f32([3, 4, 5]);
  // (1*[1,2,3] + 3*[3,4,5]) / 4 = [10, 14, 18] / 4
  assertClose(linear([a, b], [1, 3]), [2.5, 3.5, 4.5]);
  assertClose(linear([a, b], [1, 3], false), [10, 14, 18]);
  assert.throws(() => linear([a, b], [1, -1]), /weights sum to 0/);
  assert.throws(() => linear([a, f32([1])], [1, 1]), /tensor 1 has 1 elements, expected 3/);
  assert.throws(() => linear([a, b], [1]), /1 weights for 2 models/);
});

test("task arithmetic: base + lambda * sum of weighted task vectors (normalize off by default)", () => {
  const base = f32([1, 1, 1]);
  const m1 = f32([2, 1, 0]); // task vector [1, 0, -1]
  const m2 = f32([1, 3, 1]); // task vector [0, 2, 0]
  // weights [1, 0.5]: mixed = [1, 1, -1]; lambda 2: base + [2, 2, -2]
  assertClose(taskArithmetic(base, [m1, m2], [1, 0.5], { lambda: 2 }), [3, 3, -1]);
  // normalize divides the mix by 1.5 first: base + 2 * [1, 1, -1] / 1.5
  assertClose(taskArithmetic(base, [m1, m2], [1, 0.5], { lambda: 2, normalize: true }), [
    1 + 4 / 3,
    1 + 4 / 3,
    1 - 4 / 3,
  ]);
  // a model equal to the base contributes nothing
  assertClose(taskArithmetic(base, [base], [1]), [1, 1, 1]);
});

// Task vectors from the TIES worked example; the base is [1, 1, 1] so the models are base + tv.
const tiesBase = f32([1, 1, 1]);
const tiesModels = [
  [3, -1, 2],
  [-1, -2, 2],
  [2, 4, 0],
].map((tv) => f32(tv.map((d) => 1 + d)));

test("TIES with density 1: sign elected by total mass, disjoint mean over agreeing entries", () => {
  // p0: 3, -1, 2 -> sum +4, elected +; agreeing 3 and 2 -> 5 / 2 = 2.5
  // p1: -1, -2, 4 -> sum +1, elected +; agreeing 4 -> 4 / 1 = 4
  // p2: 2, 2, 0 -> sum +4, elected +; agreeing 2 and 2 (a zero never agrees) -> 4 / 2 = 2
  assertClose(ties(tiesBase, tiesModels, [1, 1, 1], 1), [3.5, 5, 3]);
  // Without normalize the agreeing entries are summed: [5, 4, 4]
  assertClose(ties(tiesBase, tiesModels, [1, 1, 1], 1, { normalize: false }), [6, 5, 5]);
});

test("TIES sign election uses the weighted deltas, and the divisor sums the agreeing models' weights", () => {
  // weights [1, 2, 1]: weighted deltas [3,-1,2], [-2,-4,4], [2,4,0]
  // p0: 3 - 2 + 2 = +3 -> +; agreeing 3 (w1) and 2 (w1) -> 5 / 2 = 2.5
  // p1: -1 - 4 + 4 = -1 -> -; agreeing -1 (w1) and -4 (w2) -> -5 / 3
  // p2: 2 + 4 + 0 = +6 -> +; agreeing 2 (w1) and 4 (w2) -> 6 / 3 = 2
  assertClose(ties(tiesBase, tiesModels, [1, 2, 1], 1), [3.5, 1 - 5 / 3, 3]);
});

test("TIES trimming keeps the top-density magnitudes of each task vector", () => {
  // density 2/3 keeps 2 of 3 entries: [3,0,2], [0,-2,2] (|-2| = |2| tie: both kept), [2,4,0]
  // p0: 3, 0, 2 -> 2.5; p1: 0, -2, 4 -> sum +2, agreeing 4 -> 4; p2: 2, 2, 0 -> 2
  assertClose(ties(tiesBase, tiesModels, [1, 1, 1], 2 / 3), [3.5, 5, 3]);
  // density 1/3 keeps 1 entry: [3,0,0], [0,-2,0] (tie at |2|: the lower index wins), [0,4,0]
  // p0: 3 -> 3; p1: -2 + 4 = +2 -> agreeing 4 -> 4; p2: nothing left -> 0
  assertClose(ties(tiesBase, tiesModels, [1, 1, 1], 1 / 3), [4, 5, 1]);
  // Trimming can flip the elected sign: tvs [0.5, 0.1], [-0.9, 0.05], [0.6, 5]
  const base = f32([0, 0]);
  const models = [f32([0.5, 0.1]), f32([-0.9, 0.05]), f32([0.6, 5])];
  // density 1: p0 sum +0.2 -> (0.5 + 0.6) / 2 = 0.55; p1: all positive -> 5.15 / 3
  assertClose(ties(base, models, [1, 1, 1], 1), [0.55, 5.15 / 3]);
  // density 1/2 keeps [0.5, 0], [-0.9, 0], [0, 5]: p0 sum -0.4 -> -0.9 alone; p1 -> 5
  assertClose(ties(base, models, [1, 1, 1], 0.5), [-0.9, 5]);
  // per-model densities: only the third is trimmed, to [0, 5]: p0 sum -0.4 -> -0.9; p1 all positive -> 5.15 / 3
  assertClose(ties(base, models, [1, 1, 1], [1, 1, 0.5]), [-0.9, 5.15 / 3]);
});

test("magnitude trimming: floor(density * n) entries kept (at least one), ties broken by index", () => {
  assert.equal(keptCount(0.3, 10), 3);
  assert.equal(keptCount(0.29, 100), 29);
  assert.equal(keptCount(0.01, 10), 1);
  assert.deepEqual([...trimToTopMagnitude(f32([1, -5, 2, 5, -2, 0]), 0.5)], [0, -5, 2, 5, 0, 0]);
  assert.deepEqual([...trimToTopMagnitude(f32([1, -5, 2]), 1)], [1, -5, 2]);
  assert.throws(() => trimToTopMagnitude(f32([1]), 0), /density must be in \(0, 1\]/);
  assert.throws(() => trimToTopMagnitude(f32([1]), 1.5), /density must be in \(0, 1\]/);
});

test("quickselect trimming agrees with a full sort on random tensors with many repeated magnitudes", () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + rng.int(300);
    // few distinct magnitudes, both signs, some zeros: ties at the threshold are common
    const delta = Float32Array.from({ length: n }, () => (rng.int(9) - 4) * (rng.next() < 0.5 ? 0.5 : 1));
    const density = 0.05 + 0.95 * rng.next();
    const k = keptCount(density, n);
    const sorted = Array.from(delta, Math.abs).sort((a, b) => b - a);
    assert.equal(kthLargest(delta.map(Math.abs), k), sorted[k - 1]);
    const trimmed = trimToTopMagnitude(delta, density);
    // every entry is kept unchanged or zeroed; no dropped entry outweighs a kept one; k survive
    // (fewer non-zero ones when the vector has fewer than k non-zeros)
    trimmed.forEach((v, p) => {
      assert.ok(v === 0 || v === delta[p]);
    });
    let minKept = Infinity;
    let maxDropped = -Infinity;
    delta.forEach((d, p) => {
      if (trimmed[p] !== 0) minKept = Math.min(minKept, Math.abs(d));
      else if (d !== 0) maxDropped = Math.max(maxDropped, Math.abs(d));
    });
    assert.ok(maxDropped <= minKept, `trial ${trial}: dropped ${maxDropped} > kept ${minKept}`);
    const nonzeroKept = trimmed.filter((v) => v !== 0).length;
    assert.equal(nonzeroKept, Math.min(k, delta.filter((v) => v !== 0).length), `trial ${trial}`);
  }
});

test("DARE drop: each entry is kept with probability density and rescaled by exactly 1/density", () => {
  const n = 20000;
  const delta = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3 || 0.5);
  const dropped = dropAndRescale(delta, 0.3, new Rng(1));
  let kept = 0;
  dropped.forEach((v, i) => {
    if (v === 0) return;
    kept++;
    assert.equal(v, Math.fround(delta[i]! / 0.3));
  });
  // Binomial(20000, 0.3): sd of the fraction is 0.0032, so 0.015 is over 4 sd.
  assert.ok(Math.abs(kept / n - 0.3) < 0.015, `kept fraction ${kept / n}`);
  const noRescale = dropAndRescale(delta, 0.3, new Rng(1), false);
  noRescale.forEach((v, i) => {
    assert.ok(v === 0 || v === delta[i]);
  });
});

test("DARE is unbiased: the mean over many seeds approaches the undropped merge", () => {
  const base = f32([0.5, -1, 2, 0, 1, 1, -2, 3]);
  const model = f32([1.5, -2, 2.5, 1, 0, 3, -2, 1]); // task vector [1, -1, 0.5, 1, -1, 2, 0, -2]
  const expected = taskArithmetic(base, [model], [1]);
  const mean = new Float64Array(base.length);
  const seeds = 2000;
  for (let seed = 0; seed < seeds; seed++) {
    dareLinear(base, [model], [1], 0.5, new Rng(seed)).forEach((v, i) => {
      mean[i]! += v / seeds;
    });
  }
  // sd of each mean: |delta| * sqrt((1 - 0.5) / 0.5) / sqrt(2000) <= 2 * 0.0224 = 0.045
  mean.forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]!) < 0.15, `[${i}] ${v} vs ${expected[i]}`);
  });
});

test("DARE with density 1 is task arithmetic (dare_linear) or TIES without trimming (dare_ties); seeds reproduce", () => {
  const base = tiesBase;
  const rng = () => new Rng(5);
  assert.deepEqual(
    dareLinear(base, tiesModels, [1, 2, 1], 1, rng()),
    taskArithmetic(base, tiesModels, [1, 2, 1]),
  );
  assert.deepEqual(
    dareTies(base, tiesModels, [1, 2, 1], 1, rng()),
    ties(base, tiesModels, [1, 2, 1], 1, { normalize: false }),
  );
  assert.deepEqual(
    dareTies(base, tiesModels, [1, 1, 1], 0.5, new Rng(9), { normalize: true }),
    dareTies(base, tiesModels, [1, 1, 1], 0.5, new Rng(9), { normalize: true }),
  );
  const big = Float32Array.from({ length: 64 }, (_, i) => i + 1);
  assert.notDeepEqual(
    dareLinear(new Float32Array(64), [big], [1], 0.5, new Rng(1)),
    dareLinear(new Float32Array(64), [big], [1], 0.5, new Rng(2)),
  );
});

test("SLERP: t=0 gives a, t=1 gives b exactly; orthogonal unit vectors follow the great circle", () => {
  const a = f32([1, 0, 0]);
  const b = f32([0, 1, 0]);
  assert.deepEqual(slerp(f32([0.1, 0.2, 0.3]), f32([3, -1, 2]), 0), f32([0.1, 0.2, 0.3]));
  assert.deepEqual(slerp(f32([0.1, 0.2, 0.3]), f32([3, -1, 2]), 1), f32([3, -1, 2]));
  // slerp(0.5) of orthogonal unit vectors = (a + b) / sqrt(2), a unit vector (lerp would give norm 0.707)
  assertClose(slerp(a, b, 0.5), [Math.SQRT1_2, Math.SQRT1_2, 0]);
  // in general cos(t*pi/2) a + sin(t*pi/2) b
  assertClose(slerp(a, b, 1 / 3), [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6), 0]);
  // the angle comes from the directions; the lengths are interpolated by the same coefficients
  assertClose(slerp(f32([2, 0]), f32([0, 2]), 0.5), [Math.SQRT2, Math.SQRT2]);
});

test("SLERP falls back to linear interpolation for (anti)parallel or zero vectors, and rejects t outside [0, 1]", () => {
  assertClose(slerp(f32([1, 2, 3]), f32([2, 4, 6]), 0.25), [1.25, 2.5, 3.75]);
  assertClose(slerp(f32([1, 2, 3]), f32([-1, -2, -3]), 0.25), [0.5, 1, 1.5]);
  assertClose(slerp(f32([0, 0]), f32([2, 4]), 0.5), [1, 2]);
  assert.throws(() => slerp(f32([1]), f32([1]), 1.5), /t must be in \[0, 1\]/);
});
