import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { allocate, JointSampler, mixtureWeights } from "../src/schedule/joint-sampler.js";
import { SequentialSampler } from "../src/schedule/sequential-sampler.js";
import type { Row } from "../src/tasks/schema.js";

function rows(task: string, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    data_source: task,
    prompt: [{ role: "user", content: `${task} ${i}` }],
    ability: task,
    reward_model: { style: "rule" as const, ground_truth: String(i) },
    extra_info: { split: "train", index: i, difficulty: 1 },
  }));
}

const stats = (step: number) => ({ step, tasks: {} });

test("mixture weights: uniform, proportional to dataset size, explicit", () => {
  const sizes = { math: 30, code: 10 };
  assert.deepEqual(mixtureWeights(sizes, "uniform"), { math: 0.5, code: 0.5 });
  assert.deepEqual(mixtureWeights(sizes, "proportional"), { math: 0.75, code: 0.25 });
  assert.deepEqual(mixtureWeights(sizes, { math: 1, code: 3 }), { math: 0.25, code: 0.75 });
  assert.deepEqual(mixtureWeights(sizes, { math: 2 }), { math: 1, code: 0 });
  assert.throws(() => mixtureWeights(sizes, { qa: 1 }), /unknown task "qa"/);
  assert.throws(() => mixtureWeights(sizes, { math: 0, code: 0 }), /sum to 0/);
});

test("stratified allocation gives each task floor(n*w) and shares the rest by fractional parts", () => {
  const rng = new Rng(1);
  assert.deepEqual(allocate(8, { a: 0.25, b: 0.25, c: 0.25, d: 0.25 }, rng), { a: 2, b: 2, c: 2, d: 2 });
  assert.deepEqual(allocate(4, { a: 0.5, b: 0.25, c: 0.25 }, rng), { a: 2, b: 1, c: 1 });
  // n = 1 with weights 0.7 / 0.3: over 4000 draws the share converges to the weight
  let a = 0;
  for (let i = 0; i < 4000; i++) a += allocate(1, { a: 0.7, b: 0.3 }, rng).a!;
  assert.ok(Math.abs(a / 4000 - 0.7) < 0.03, `share ${a / 4000}`);
  // 3 slots over 4 equal tasks: 3 distinct tasks, one slot each
  const c = allocate(3, { a: 0.25, b: 0.25, c: 0.25, d: 0.25 }, rng);
  assert.equal(
    Object.values(c).reduce((x, y) => x + y, 0),
    3,
  );
  assert.ok(Object.values(c).every((v) => v <= 1));
});

test("the joint sampler mixes tasks every step and never repeats a row within an epoch", () => {
  const s = new JointSampler({ math: rows("math", 6), qa: rows("qa", 6) }, "uniform", 3);
  const seen = new Set<string>();
  for (let step = 0; step < 3; step++) {
    const drawn = s.next(4);
    assert.equal(drawn.filter((d) => d.task === "math").length, 2);
    assert.equal(drawn.filter((d) => d.task === "qa").length, 2);
    for (const d of drawn) {
      assert.equal(d.row.data_source, d.task);
      const key = `${d.task}:${d.rowIndex}`;
      assert.ok(!seen.has(key), `row ${key} repeated within the first epoch`);
      seen.add(key);
    }
    s.update(stats(step));
  }
  assert.equal(seen.size, 12);
  assert.equal(s.currentStage(), null);
  assert.equal(s.done(), false);
});

test("joint sampler state round-trips: a restored sampler draws exactly what the original draws", () => {
  const data = { math: rows("math", 5), code: rows("code", 3), qa: rows("qa", 7) };
  const a = new JointSampler(data, "proportional", 9);
  for (let i = 0; i < 4; i++) a.next(3);
  const state = JSON.parse(JSON.stringify(a.exportState()));
  const b = new JointSampler(data, "proportional", 9);
  b.importState(state);
  for (let i = 0; i < 6; i++) {
    const x = a.next(3).map((d) => `${d.task}:${d.rowIndex}`);
    const y = b.next(3).map((d) => `${d.task}:${d.rowIndex}`);
    assert.deepEqual(y, x);
  }
  assert.throws(() => b.importState({ kind: "sequential" }), /not "joint"/);
});

test("sequential stages: steps stage, then one pass over a task, exposing the current stage", () => {
  const s = new SequentialSampler(
    { math: rows("math", 10), writing: rows("writing", 5) },
    [
      { task: "math", steps: 2 },
      { task: "writing", pass: true },
    ],
    0,
  );
  assert.equal(s.plannedSteps(2), 2 + 3);
  const log: string[] = [];
  const writingRows = new Set<number>();
  let step = 0;
  while (!s.done()) {
    const stage = s.currentStage()!;
    const drawn = s.next(2);
    for (const d of drawn) if (d.task === "writing") writingRows.add(d.rowIndex);
    log.push(`${stage.index}:${stage.task}:${drawn.length}:${[...new Set(drawn.map((d) => d.task))].join()}`);
    s.update(stats(++step));
    assert.ok(step < 20);
  }
  assert.deepEqual(log, [
    "0:math:2:math",
    "0:math:2:math",
    "1:writing:2:writing",
    "1:writing:2:writing",
    "1:writing:1:writing",
  ]);
  assert.equal(writingRows.size, 5, "the pass covers every writing row exactly once");
  assert.equal(s.currentStage(), null);
  assert.deepEqual(s.next(2), []);
});

test("sequential sampler state round-trips mid-stage", () => {
  const data = { math: rows("math", 4), qa: rows("qa", 7) };
  const stages = [
    { task: "qa", pass: true as const },
    { task: "math", steps: 3 },
  ];
  const a = new SequentialSampler(data, stages, 5);
  a.next(3);
  a.update(stats(1));
  const b = new SequentialSampler(data, stages, 5);
  b.importState(JSON.parse(JSON.stringify(a.exportState())));
  for (let step = 2; step < 7; step++) {
    assert.deepEqual(b.currentStage(), a.currentStage());
    assert.deepEqual(
      b.next(3).map((d) => `${d.task}:${d.rowIndex}`),
      a.next(3).map((d) => `${d.task}:${d.rowIndex}`),
    );
    a.update(stats(step));
    b.update(stats(step));
  }
  assert.equal(a.done(), true);
  assert.equal(b.done(), true);
});

test("sequential sampler rejects stages without data or with bad step counts", () => {
  assert.throws(
    () => new SequentialSampler({ math: rows("math", 2) }, [{ task: "qa", steps: 1 }], 0),
    /"qa" has no data/,
  );
  assert.throws(
    () => new SequentialSampler({ math: rows("math", 2) }, [{ task: "math", steps: 0 }], 0),
    /positive integer/,
  );
});
