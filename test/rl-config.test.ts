import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../src/config/load.js";
import { difficultyRangeFor, loadTrainConfig, parseTrainConfig } from "../src/rl/config.js";
import { capRowsPerKind, inDifficultyRange } from "../src/rl/trainer.js";
import type { Row } from "../src/tasks/schema.js";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("every train key has a default", () => {
  const cfg = parseTrainConfig({}, "empty.yaml");
  assert.equal(cfg.rl.group_size, 8);
  assert.equal(cfg.rl.advantage, "grpo");
  assert.equal(cfg.rl.kl_coef, 0);
  assert.equal(cfg.rl.loss_agg, "token-mean");
  assert.equal(cfg.rl.overlong.mode, "none");
  assert.equal(cfg.optim.grad_clip, 1);
  assert.deepEqual(cfg.schedule, { type: "joint", weights: "uniform" });
  assert.deepEqual(cfg.tasks, ["math", "code", "qa", "writing"]);
});

test("unknown and invalid keys are rejected with the file and the field path", () => {
  const bad = (value: unknown, re: RegExp) =>
    assert.throws(
      () => parseTrainConfig(value, "x.yaml"),
      (err: unknown) => err instanceof ConfigError && re.test(err.message) && /x\.yaml/.test(err.message),
    );
  bad({ rl: { group_sise: 4 } }, /rl: .*group_sise/);
  bad({ rl: { advantage: "ppo" } }, /rl\.advantage/);
  bad({ rl: { loss_agg: "sum" } }, /rl\.loss_agg/);
  bad({ rl: { kl_estimator: "k2" } }, /rl\.kl_estimator/);
  bad({ optim: { lr: -1 } }, /optim\.lr/);
  bad(
    { schedule: { type: "sequential", stages: [{ task: "art", steps: 2 }] } },
    /schedule\.stages\[0\]\.task: "art"/,
  );
  bad(
    { schedule: { type: "sequential", stages: [{ task: "math", steps: 2, pass: true }] } },
    /schedule\.stages\[0\]/,
  );
  bad({ steps: null }, /steps: null/);
  bad({ rl: { greedy_in_group: true, group_size: 1 } }, /rl\.greedy_in_group: needs rl\.group_size >= 2/);
});

test("the shipped configs validate", () => {
  for (const name of ["quick.yaml", "joint.yaml"]) {
    const cfg = loadTrainConfig(join(ROOT, "configs", name));
    assert.deepEqual(cfg.tasks, ["math", "code", "qa", "writing"]);
    assert.equal(cfg.model, "models/omni-tiny");
  }
  const dir = tempDir("rl-cfg-");
  writeFileSync(
    join(dir, "seq.yaml"),
    "tasks: [math, writing]\nsteps: null\nschedule:\n  type: sequential\n  stages: [{task: math, pass: true}, {task: writing, steps: 3}]\n",
  );
  assert.equal(loadTrainConfig(join(dir, "seq.yaml")).schedule.type, "sequential");
});

test("--set overrides apply before validation, and bad ones name the override", () => {
  const dir = tempDir("omni-set-");
  const file = join(dir, "t.yaml");
  writeFileSync(file, "steps: 10\noptim: {lr: 1.0e-3}\nrl: {group_size: 4}\n");
  const cfg = loadTrainConfig(file, ["optim.lr=5e-5", "rl.kl_coef=0.01", "tasks=[qa, code]", "eval.limit=7"]);
  assert.equal(cfg.optim.lr, 5e-5);
  assert.equal(cfg.rl.kl_coef, 0.01);
  assert.equal(cfg.rl.group_size, 4, "keys not overridden keep the file's value");
  assert.deepEqual(cfg.tasks, ["qa", "code"]);
  assert.equal(cfg.eval.limit, 7);
  assert.equal(cfg.steps, 10);
  const bad = (overrides: string[], re: RegExp) =>
    assert.throws(
      () => loadTrainConfig(file, overrides),
      (err: unknown) => err instanceof ConfigError && re.test(err.message),
    );
  bad(["optim.lr"], /--set.*"optim\.lr": expected key\.path=value/s);
  bad(["=3"], /expected key\.path=value/);
  bad(["steps.x=3"], /steps is 10, not a mapping/);
  bad(["optim.lr=fast"], /with --set optim\.lr=fast.*optim\.lr/s);
  bad(["rl.group_sise=3"], /rl: .*group_sise/);
});

test("data.difficulty keeps the rows in range; rows without a difficulty never match", () => {
  const dir = tempDir("omni-diff-");
  const file = join(dir, "t.yaml");
  writeFileSync(file, "steps: 1\n");
  assert.equal(loadTrainConfig(file).data.difficulty, null, "no filter by default");
  const cfg = loadTrainConfig(file, ["data.difficulty.max=2"]);
  assert.deepEqual(cfg.data.difficulty, { min: null, max: 2 });
  const row = (difficulty: unknown) => ({ extra_info: { difficulty } }) as unknown as Row;
  const range = cfg.data.difficulty!;
  assert.deepEqual(
    [1, 2, 3, 4].map((d) => inDifficultyRange(row(d), range)),
    [true, true, false, false],
  );
  assert.equal(inDifficultyRange(row(undefined), range), false);
  assert.equal(inDifficultyRange(row("1"), range), false);
  assert.equal(inDifficultyRange(row(3), { min: 3, max: 3 }), true);
  assert.throws(
    () => loadTrainConfig(file, ["data.difficulty.top=2"]),
    (err: unknown) => err instanceof ConfigError && /data\.difficulty.*top/s.test(err.message),
  );
  // A range applies to every task; a mapping only to the tasks it names, which must be the run's.
  assert.deepEqual(difficultyRangeFor(cfg, "writing"), { min: null, max: 2 });
  const mapped = join(dir, "m.yaml");
  writeFileSync(mapped, "steps: 1\ntasks: [math, code]\ndata: {difficulty: {math: {max: 2}}}\n");
  const perTask = loadTrainConfig(mapped);
  assert.deepEqual(difficultyRangeFor(perTask, "math"), { min: null, max: 2 });
  assert.equal(difficultyRangeFor(perTask, "code"), null);
  assert.deepEqual(difficultyRangeFor(loadTrainConfig(mapped, ["data.difficulty.code.min=2"]), "code"), {
    min: 2,
    max: null,
  });
  writeFileSync(mapped, "steps: 1\ntasks: [code]\ndata: {difficulty: {math: {max: 2}}}\n");
  assert.throws(
    () => loadTrainConfig(mapped),
    (err: unknown) => err instanceof ConfigError && /data\.difficulty\.math: not in tasks/.test(err.message),
  );
});

test("data.max_rows_per_kind keeps the first N rows of each family / qtype / wtype", () => {
  const dir = tempDir("omni-kind-");
  const file = join(dir, "t.yaml");
  writeFileSync(file, "steps: 1\n");
  assert.equal(loadTrainConfig(file).data.max_rows_per_kind, null, "no cap by default");
  assert.equal(loadTrainConfig(file, ["data.max_rows_per_kind=2"]).data.max_rows_per_kind, 2);
  assert.throws(() => loadTrainConfig(file, ["data.max_rows_per_kind=0"]), ConfigError);
  // Per task: a mapping names the tasks it caps, and only tasks of the run.
  const mapped = join(dir, "m.yaml");
  writeFileSync(mapped, "steps: 1\ntasks: [math, code]\ndata: {max_rows_per_kind: {code: 40}}\n");
  assert.deepEqual(loadTrainConfig(mapped).data.max_rows_per_kind, { code: 40 });
  writeFileSync(mapped, "steps: 1\ntasks: [math]\ndata: {max_rows_per_kind: {code: 40}}\n");
  assert.throws(
    () => loadTrainConfig(mapped),
    (err: unknown) =>
      err instanceof ConfigError && /data\.max_rows_per_kind\.code: not in tasks/.test(err.message),
  );
  const row = (i: number, extra: Record<string, unknown>) =>
    ({ extra_info: { index: i, ...extra } }) as unknown as Row;
  const rows = [
    row(0, { family: "a" }),
    row(1, { family: "a" }),
    row(2, { family: "a" }),
    row(3, { qtype: "b" }),
    row(4, {}),
    row(5, { family: "b" }),
    row(6, {}),
    row(7, {}),
  ];
  // qtype "b" and family "b" are one kind; rows without a kind share one.
  assert.deepEqual(
    capRowsPerKind(rows, 2).map((r) => r.extra_info.index),
    [0, 1, 3, 4, 5, 6],
  );
});
