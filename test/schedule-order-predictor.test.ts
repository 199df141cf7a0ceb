import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import type { BwtFile } from "../src/schedule/bwt.js";
import {
  heuristicOrder,
  orderValue,
  permutations,
  predictOrder,
  rankOrders,
  searchOrder,
} from "../src/schedule/order-predictor.js";
import { randomBwt } from "./helpers/random-bwt.js";

const close = (actual: number, expected: number, what = "") =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} expected ${expected}, got ${actual}`);

// B[j][i] = B[j -> i]: row j is the task trained LATER, column i the task it affects.
// Writing trained after math hurts math (-0.10) and code (-0.05); math after code helps code (+0.04).
const three: BwtFile = {
  tasks: ["math", "code", "writing"],
  A_star: [0.6, 0.5, 0.7],
  B: [
    /* math later:    */ [0, 0.04, -0.02],
    /* code later:    */ [0.01, 0, -0.03],
    /* writing later: */ [-0.1, -0.05, 0],
  ],
  mode: "full",
};

test("3 tasks: each task's final score is A* plus the transfer from every task trained after it", () => {
  // math -> code -> writing:
  //   math    = 0.6 + B[code->math] + B[writing->math] = 0.6 + 0.01 - 0.10 = 0.51
  //   code    = 0.5 + B[writing->code]                 = 0.5 - 0.05        = 0.45
  //   writing = 0.7 (trained last, nothing after it)
  //   mean    = 1.66 / 3
  const p = predictOrder(three, ["math", "code", "writing"]);
  close(p.perTask[0]!, 0.51, "math");
  close(p.perTask[1]!, 0.45, "code");
  close(p.perTask[2]!, 0.7, "writing");
  close(p.mean, 1.66 / 3, "mean");
  assert.deepEqual(p.order, [0, 1, 2]);

  // writing -> code -> math: perTask stays indexed like `tasks`, not by stage.
  //   writing = 0.7 + B[code->writing] + B[math->writing] = 0.7 - 0.03 - 0.02 = 0.65
  //   code    = 0.5 + B[math->code] = 0.54;  math = 0.6;  mean = 1.79 / 3
  const q = predictOrder(three, [2, 1, 0]);
  assert.deepEqual(q.names, ["writing", "code", "math"]);
  close(q.perTask[0]!, 0.6, "math");
  close(q.perTask[1]!, 0.54, "code");
  close(q.perTask[2]!, 0.65, "writing");
  close(q.mean, 1.79 / 3, "mean");
  close(orderValue(three, [2, 1, 0]), 1.79 / 3, "orderValue");
});

test("3 tasks: all 6 orders are ranked; the paper's writing-last order is the worst when writing hurts math", () => {
  // By hand (sum of the three final scores):
  //   w,c,m 1.79 | c,w,m 1.77 | w,m,c 1.76 | c,m,w 1.69 | m,w,c 1.68 | m,c,w 1.66
  const r = rankOrders(three);
  assert.equal(r.exhaustive, true);
  assert.deepEqual(
    r.all!.map((o) => o.names.map((n) => n[0]).join("")),
    ["wcm", "cwm", "wmc", "cmw", "mwc", "mcw"],
  );
  const sums = [1.79, 1.77, 1.76, 1.69, 1.68, 1.66];
  r.all!.forEach((o, i) => {
    close(o.mean, sums[i]! / 3, o.names.join(">"));
  });
  assert.deepEqual(r.best.names, ["writing", "code", "math"]);
  assert.deepEqual(r.median.names, ["writing", "math", "code"]); // rank floor((6-1)/2) = 2
  assert.deepEqual(r.worst.names, ["math", "code", "writing"]);
  const heuristic = heuristicOrder(three.tasks, { openEnded: ["writing"] });
  assert.deepEqual(heuristic, ["math", "code", "writing"]);
  close(predictOrder(three, heuristic).mean, r.worst.mean);
});

test("4 tasks: best, worst and heuristic orders match the hand-worked pairwise argument", () => {
  // Each pair of tasks contributes B[later -> earlier] once, so the best order takes the better side of
  // every pair when the choices are consistent:
  //   writing vs x: writing first (B[x->writing] = -0.04/-0.02/-0.01 beats B[writing->x] = -0.08/-0.06/-0.02)
  //   math vs code: code after math (+0.03 > +0.02); code vs qa: qa after code (+0.01 > 0); math vs qa: -0.01 either way
  //   best  = writing, math, code, qa: pairs -0.07 + 0.03 - 0.01 + 0.01 = -0.04, sum A* = 2.2, mean 2.16/4 = 0.54
  //   worst = qa, code, math, writing: pairs -0.16 + 0.02 + 0 - 0.01 = -0.15, mean 2.05/4 = 0.5125
  //   heuristic = math, code, qa, writing: pairs -0.16 + 0.03 - 0.01 + 0.01 = -0.13, mean 2.07/4 = 0.5175
  const four: BwtFile = {
    tasks: ["math", "code", "qa", "writing"],
    A_star: [0.5, 0.4, 0.6, 0.7],
    B: [
      [0, 0.02, -0.01, -0.04],
      [0.03, 0, 0.0, -0.02],
      [-0.01, 0.01, 0, -0.01],
      [-0.08, -0.06, -0.02, 0],
    ],
    mode: "cheap",
  };
  const r = rankOrders(four);
  assert.equal(r.all!.length, 24);
  assert.deepEqual(r.best.names, ["writing", "math", "code", "qa"]);
  close(r.best.mean, 0.54);
  // best per task: writing 0.7-0.04-0.02-0.01 = 0.63, math 0.5+0.03-0.01 = 0.52, code 0.4+0.01 = 0.41, qa 0.6
  [0.52, 0.41, 0.6, 0.63].forEach((v, i) => {
    close(r.best.perTask[i]!, v, four.tasks[i]);
  });
  assert.deepEqual(r.worst.names, ["qa", "code", "math", "writing"]);
  close(r.worst.mean, 0.5125);
  const heuristic = predictOrder(four, heuristicOrder(four.tasks, { openEnded: ["writing"] }));
  assert.deepEqual(heuristic.names, ["math", "code", "qa", "writing"]);
  close(heuristic.mean, 0.5175);
  // math in the heuristic order: 0.5 + 0.03 - 0.01 - 0.08 = 0.44
  close(heuristic.perTask[0]!, 0.44);
});

test("with a zero transfer matrix every order predicts exactly A* (random sizes, orders and seeds)", () => {
  for (let seed = 0; seed < 200; seed++) {
    const rng = new Rng(seed);
    const k = 1 + rng.int(7);
    const bwt = randomBwt(rng, k);
    bwt.B = bwt.B.map((row) => row.map(() => 0));
    const order = rng.shuffle(Array.from({ length: k }, (_, i) => i));
    const p = predictOrder(bwt, order);
    assert.deepEqual(p.perTask, bwt.A_star, `seed ${seed}`);
    close(p.mean, bwt.A_star.reduce((a, b) => a + b, 0) / k, `seed ${seed}`);
  }
});

test("the stderr of the predicted mean combines the B_stderr entries the order uses", () => {
  // order math, code, writing uses B[code->math], B[writing->math], B[writing->code]:
  // sqrt(0.01^2 + 0.02^2 + 0.02^2) / 3 = 0.03 / 3
  const withErr: BwtFile = {
    ...three,
    B_stderr: [
      [0, 0.5, 0.5],
      [0.01, 0, 0.5],
      [0.02, 0.02, 0],
    ],
  };
  close(predictOrder(withErr, ["math", "code", "writing"]).meanStderr!, 0.01);
  assert.equal(predictOrder(three, [0, 1, 2]).meanStderr, undefined);
});

test("permutations enumerates all K! orders once, in lexicographic order", () => {
  const all = [...permutations(4)].map((p) => p.join(""));
  assert.equal(all.length, 24);
  assert.equal(new Set(all).size, 24);
  assert.deepEqual([...all].sort(), all);
  assert.equal([...permutations(8)].length, 40320);
});

test("greedy insertion + local search finds the enumerated optimum and pessimum on random K=6..7 matrices", () => {
  for (let seed = 0; seed < 30; seed++) {
    const rng = new Rng(1000 + seed);
    const bwt = randomBwt(rng, 6 + (seed % 2));
    const exact = rankOrders(bwt);
    const best = searchOrder(bwt, { seed, maximize: true });
    const worst = searchOrder(bwt, { seed, maximize: false });
    close(best.mean, exact.best.mean, `seed ${seed} best`);
    close(worst.mean, exact.worst.mean, `seed ${seed} worst`);
  }
});

test("K=10 is ranked by search: best >= every sampled order >= worst", () => {
  const rng = new Rng(7);
  const bwt = randomBwt(rng, 10);
  const r = rankOrders(bwt, { seed: 3 });
  assert.equal(r.exhaustive, false);
  assert.equal(r.all, undefined);
  assert.equal(r.medianOver, 5000);
  assert.equal(new Set(r.best.order).size, 10);
  for (let i = 0; i < 2000; i++) {
    const v = orderValue(bwt, rng.shuffle(Array.from({ length: 10 }, (_, j) => j)));
    assert.ok(v <= r.best.mean + 1e-12 && v >= r.worst.mean - 1e-12);
  }
  assert.ok(r.best.mean >= r.median.mean && r.median.mean >= r.worst.mean);
  // The same seed gives the same answer.
  assert.deepEqual(rankOrders(bwt, { seed: 3 }).best.order, r.best.order);
});

test("heuristic order keeps structured tasks in their given order and puts open-ended ones last", () => {
  assert.deepEqual(heuristicOrder(["writing", "math", "qa", "code"], { openEnded: ["writing"] }), [
    "math",
    "qa",
    "code",
    "writing",
  ]);
  assert.deepEqual(heuristicOrder(["a", "story", "b", "poem"], { openEnded: ["poem", "story", "absent"] }), [
    "a",
    "b",
    "story",
    "poem",
  ]);
});

test("an order that is not a permutation of the tasks is rejected with the task names", () => {
  assert.throws(
    () => predictOrder(three, ["math", "code", "poetry"]),
    /unknown task "poetry".*math, code, writing/,
  );
  assert.throws(() => predictOrder(three, ["math", "math", "code"]), /each of the 3 tasks exactly once/);
  assert.throws(() => predictOrder(three, [0, 1]), /exactly once/);
  assert.throws(() => predictOrder(three, [0, 1, 3]), /unknown task 3/);
});
