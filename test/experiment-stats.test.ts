import assert from "node:assert/strict";
import { test } from "node:test";
import { parseExperimentConfig } from "../src/experiment/config.js";
import { predictionQuality } from "../src/experiment/experiment-runner.js";
import {
  averageRanks,
  compare,
  meanAbsoluteError,
  pearson,
  sampleStd,
  spearman,
  stderrOfMean,
} from "../src/experiment/stats.js";
import type { Scores } from "../src/experiment/workspace.js";
import type { BwtFile } from "../src/schedule/bwt.js";

const close = (a: number | null, b: number, what = "") =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${what} expected ${b}, got ${a}`);

test("average ranks: ties share the mean of the ranks they span", () => {
  assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.deepEqual(averageRanks([3, 3, 3]), [2, 2, 2]);
  assert.deepEqual(averageRanks([]), []);
});

test("Spearman on hand-worked ranks, with a tie; +1 / -1 for monotone data; null when undefined", () => {
  // x ranks 1..5; y = [5, 6, 7, 8, 7] ranks [1, 2, 3.5, 5, 3.5].
  // dx = [-2,-1,0,1,2], dy = [-2,-1,0.5,2,0.5]: sxy = 8, sxx = 10, syy = 9.5 -> 8 / sqrt(95)
  close(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 8 / Math.sqrt(95), "tied");
  close(spearman([0.1, 0.5, 0.2], [1, 100, 10]), 1, "monotone"); // ranks only: nonlinearity does not matter
  close(spearman([1, 2, 3], [3, 2, 1]), -1, "reversed");
  assert.equal(spearman([1, 2, 3], [4, 4, 4]), null);
  assert.equal(spearman([1], [2]), null);
  assert.throws(() => spearman([1, 2], [1]), /2 x values but 1 y values/);
  // Pearson of the same data sees values, not ranks: dy = [-1.6,-0.6,0.4,1.4,0.4], sxy = 6, syy = 5.2
  close(pearson([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 6 / Math.sqrt(52), "pearson");
});

test("mean absolute error, sample std and standard error on hand-worked values", () => {
  close(meanAbsoluteError([0.5, 0.2, 0.9], [0.4, 0.4, 0.9]), 0.1);
  assert.throws(() => meanAbsoluteError([1], [1, 2]), /1 predictions but 2 measurements/);
  // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, squared deviations sum 32, sample variance 32/7
  close(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
  close(stderrOfMean([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7) / Math.sqrt(8));
  assert.equal(sampleStd([3]), 0);
});

test("a difference is claimed only beyond the spread: std sum with seeds, 2 x SE of the difference without", () => {
  const seeds = (mean: number, spread: number) => ({ mean, spread, spreadKind: "seeds" as const, n: 3 });
  const single = (mean: number, spread: number) => ({
    mean,
    spread,
    spreadKind: "eval_stderr" as const,
    n: 1,
  });
  // 0.50 ± 0.02 vs 0.46 ± 0.01: delta 0.04 > 0.03 -> claimed; vs 0.48 ± 0.01: 0.02 < 0.03 -> not
  assert.deepEqual(compare(seeds(0.5, 0.02), seeds(0.46, 0.01)).claimed, true);
  close(compare(seeds(0.5, 0.02), seeds(0.46, 0.01)).margin, 0.03);
  assert.equal(compare(seeds(0.5, 0.02), seeds(0.48, 0.01)).claimed, false);
  // one seed: SEs 0.03 and 0.04 -> SE of the difference 0.05 -> margin 0.1
  close(compare(single(0.6, 0.03), single(0.45, 0.04)).margin, 0.1);
  assert.equal(compare(single(0.6, 0.03), single(0.45, 0.04)).claimed, true);
  assert.equal(compare(single(0.6, 0.03), single(0.55, 0.04)).claimed, false);
  close(compare(single(0.4, 0.03), single(0.6, 0.04)).delta, -0.2);
});

test("prediction quality: Spearman and MAE of predicted vs measured curricula, over orders and cells", () => {
  // The 3-task matrix of the order-predictor tests: predicted means (sums / 3) are
  //   w,c,m 1.79 | m,w,c 1.68 | m,c,w 1.66   (per task, indexed math, code, writing:
  //   w,c,m = [0.6, 0.54, 0.65], m,w,c = [0.51, 0.5, 0.67], m,c,w = [0.51, 0.45, 0.7])
  const bwt: BwtFile = {
    tasks: ["math", "code", "writing"],
    A_star: [0.6, 0.5, 0.7],
    B: [
      [0, 0.04, -0.02],
      [0.01, 0, -0.03],
      [-0.1, -0.05, 0],
    ],
    mode: "full",
  };
  const scores = (m: number, c: number, w: number): Scores => {
    const s = (task: string, normalized: number) => ({
      task,
      normalized,
      stderr: 0,
      entropy: null,
      n: 1,
      meanResponseTokens: null,
      statusCounts: {},
    });
    return { math: s("math", m), code: s("code", c), writing: s("writing", w) };
  };
  const cur = (order: string[], seed: number, final: Scores) =>
    ({
      name: order.join("."),
      order,
      seed,
      start: final,
      stages: [],
      final,
      mean: 0,
      stderr: 0,
      totalSteps: 0,
      metricsFile: "",
    }) as const;
  const info = (role: string, order: string[]) => ({ role, order, predicted: { perTask: {}, mean: 0 } });
  const orders = [
    info("best", ["writing", "code", "math"]),
    info("worst", ["math", "code", "writing"]),
    info("heuristic", ["math", "code", "writing"]), // same order as worst: one entry with two roles
    info("median", ["math", "writing", "code"]),
  ];
  // Measured (two seeds of the best order, averaged): best [0.55, 0.5, 0.6], mwc [0.5, 0.5, 0.6], mcw [0.4, 0.5, 0.6]
  const curricula = [
    cur(["writing", "code", "math"], 0, scores(0.5, 0.5, 0.6)),
    cur(["writing", "code", "math"], 1, scores(0.6, 0.5, 0.6)),
    cur(["math", "code", "writing"], 0, scores(0.4, 0.5, 0.6)),
    cur(["math", "code", "writing"], 0, scores(0.4, 0.5, 0.6)), // the heuristic role's copy is not counted twice
    cur(["math", "writing", "code"], 0, scores(0.5, 0.5, 0.6)),
  ];
  const q = predictionQuality(bwt, orders, curricula as never, bwt.tasks)!;
  assert.equal(q.orders.length, 3);
  assert.deepEqual(q.orders.find((o) => o.order[0] === "math" && o.order[1] === "code")!.roles, [
    "worst",
    "heuristic",
  ]);
  // Orders: predicted [1.79, 1.66, 1.68]/3 vs measured [1.65, 1.5, 1.6]/3 -> same ranking -> Spearman 1.
  close(q.spearmanOrders, 1, "spearman orders");
  // |1.79-1.65| + |1.66-1.5| + |1.68-1.6| = 0.14 + 0.16 + 0.08 = 0.38 -> /3 orders /3 tasks
  close(q.maeOrders, 0.38 / 9, "mae orders");
  // Cells: |0.6-0.55|+|0.54-0.5|+|0.65-0.6| + |0.51-0.4|+|0.45-0.5|+|0.7-0.6| + |0.51-0.5|+|0.5-0.5|+|0.67-0.6|
  //      = 0.05+0.04+0.05 + 0.11+0.05+0.1 + 0.01+0+0.07 = 0.48 over 9 cells
  close(q.maeCells, 0.48 / 9, "mae cells");
  assert.ok(q.spearmanCells !== null && q.spearmanCells > -1 && q.spearmanCells < 1);
});

test("experiment config: presets merge over the defaults; unknown arms and merges are errors naming the field", () => {
  const raw = {
    tasks: ["a", "b"],
    rl: { group_size: 8, max_new_tokens: 64 },
    presets: { tiny: { rl: { group_size: 2 }, budget: { steps_per_task: 1 } } },
  };
  const cfg = parseExperimentConfig(raw, "x.yaml", { preset: "tiny" });
  assert.deepEqual(cfg.rl, { group_size: 2, max_new_tokens: 64 });
  assert.equal(cfg.budget.steps_per_task, 1);
  assert.equal(cfg.preset, "tiny");
  assert.throws(
    () => parseExperimentConfig(raw, "x.yaml", { preset: "nope" }),
    /x\.yaml[\s\S]*no preset "nope" \(this file has: tiny\)/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...raw, arms: ["base", "merge_dare"] }, "x.yaml"),
    /arms\[1\]: "merge_dare" names no entry of merges/,
  );
  assert.throws(
    () => parseExperimentConfig({ ...raw, arms: ["bogus"] }, "x.yaml"),
    /arms\[0\]: unknown arm "bogus"/,
  );
});
