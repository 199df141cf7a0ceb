// scripts/rl-learning.ts end to end on the shipped policy, at a budget of one tiny step per run: only
// the --before-seed run evaluates the base, and the table reads "before" from it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(ROOT, "dist", "scripts", "rl-learning.js");
/** An eval result as `omni-thinker eval --out` and the trainer's eval/step-N.json write it. */
const readEval = (file: string) =>
  JSON.parse(readFileSync(file, "utf8")) as {
    tasks: { normalizedScore: number }[];
    meanNormalizedScore: number;
  };

test("single-task runs: only the --before-seed run evaluates the base, the table reads it from there", () => {
  const out = tempDir("rl-learning-");
  const tiny = ["eval.limit=4", "rl.prompts_per_step=1", "rl.group_size=2", "rl.max_new_tokens=8"];
  const r = spawnSync(
    process.execPath,
    [
      script,
      "--tasks",
      "qa",
      "--steps",
      "1",
      "--seeds",
      "0,1",
      "--before-seed",
      "1",
      "--out-dir",
      out,
    ].concat(tiny.flatMap((s) => ["--set", s])),
    { cwd: ROOT, encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(join(out, "qa-s0", "eval", "step-0.json")), "seed 0 skipped the base evaluation");
  const before = readEval(join(out, "qa-s1", "eval", "step-0.json"));
  const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    rows: { task: string; before: number; after: number[] }[];
  };
  assert.equal(summary.rows[0]!.task, "qa");
  assert.equal(summary.rows[0]!.before, before.tasks[0]!.normalizedScore);
  assert.equal(summary.rows[0]!.after.length, 2);
});

test("--best-of 2: each run's last checkpoint is scored on the validation split and the better seed kept", () => {
  const out = tempDir("rl-learning-best-");
  // A data dir with a validation split carved from qa's training rows.
  const data = join(out, "data");
  mkdirSync(join(data, "qa"), { recursive: true });
  const train = readFileSync(join(ROOT, "datasets", "qa", "train.jsonl"), "utf8")
    .trim()
    .split("\n");
  writeFileSync(join(data, "qa", "train.jsonl"), `${train.slice(8, 40).join("\n")}\n`);
  writeFileSync(join(data, "qa", "val.jsonl"), `${train.slice(0, 8).join("\n")}\n`);
  copyFileSync(join(ROOT, "datasets", "qa", "test.jsonl"), join(data, "qa", "test.jsonl"));
  const tiny = ["eval.limit=4", "rl.prompts_per_step=1", "rl.group_size=2", "rl.max_new_tokens=8"];
  const args = ["--tasks", "qa", "--steps", "1", "--seeds", "0,1", "--best-of", "2", "--out-dir", out];
  const r = spawnSync(
    process.execPath,
    [script, ...args, ...[...tiny, `data.dir=${data}`].flatMap((s) => ["--set", s])],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 300_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const valScore = (file: string) => readEval(file).tasks[0]!.normalizedScore;
  const val = [0, 1].map((s) => valScore(join(out, `qa-s${s}`, "eval", "val-step-1.json")));
  const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    best_of: number;
    rows: { selection: number[]; selection_before: number; kept_seeds: number[] }[];
  };
  assert.equal(summary.best_of, 2);
  assert.deepEqual(summary.rows[0]!.selection, val);
  assert.equal(summary.rows[0]!.selection_before, valScore(join(out, "base-qa-val.json")));
  assert.deepEqual(summary.rows[0]!.kept_seeds, [val[1]! > val[0]! ? 1 : 0]);
  assert.match(readFileSync(join(out, "table.md"), "utf8"), /best of 2 by val/);
});

test("--joint --best-of 2: the seed kept is the one with the best mean over the tasks on the validation split", () => {
  const out = tempDir("rl-learning-joint-best-");
  const data = join(out, "data");
  for (const task of ["math", "qa"]) {
    mkdirSync(join(data, task), { recursive: true });
    const train = readFileSync(join(ROOT, "datasets", task, "train.jsonl"), "utf8")
      .trim()
      .split("\n");
    writeFileSync(join(data, task, "train.jsonl"), `${train.slice(4, 40).join("\n")}\n`);
    writeFileSync(join(data, task, "val.jsonl"), `${train.slice(0, 4).join("\n")}\n`);
    copyFileSync(join(ROOT, "datasets", task, "test.jsonl"), join(data, task, "test.jsonl"));
  }
  const sets = ["eval.limit=2", "rl.prompts_per_step=2", "rl.group_size=2", "rl.max_new_tokens=8"];
  const args = ["--joint", "--config", "configs/joint.yaml", "--tasks", "math,qa", "--steps", "1"];
  args.push("--seeds", "0,1", "--best-of", "2", "--out-dir", out);
  for (const s of [...sets, `data.dir=${data}`, "data.difficulty=null"]) args.push("--set", s);
  const r = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const meanOf = (file: string) => readEval(file).meanNormalizedScore;
  const val = [0, 1].map((s) => meanOf(join(out, `joint-s${s}`, "eval", "val-step-1.json")));
  const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    rows: { task: string; selection: number[]; kept_seeds: number[] }[];
  };
  assert.deepEqual(
    summary.rows.map((row) => row.task),
    ["math", "qa", "mean"],
  );
  for (const row of summary.rows) {
    assert.deepEqual(row.selection, val);
    assert.deepEqual(row.kept_seeds, [val[1]! > val[0]! ? 1 : 0]);
  }
  assert.ok(
    existsSync(join(out, "base-math+qa-val.json")),
    "the base's validation score is kept in --out-dir",
  );
});

test("--best-of refuses a seed count it does not divide, and the test split as the selection split", () => {
  for (const [extra, message] of [
    [["--seeds", "0,1,2", "--best-of", "2"], /--best-of 2: must be a whole number >= 1 that divides/],
    [["--seeds", "0,1", "--best-of", "2", "--select-split", "test"], /--select-split test/],
  ] as const) {
    const r = spawnSync(
      process.execPath,
      [script, "--tasks", "qa", ...extra, "--out-dir", tempDir("rl-learning-bad-")],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, message);
  }
});
