// scripts/rl-learning.ts end to end on the shipped policy, at a budget of one tiny step per run: only
// the --before-seed run evaluates the base, and the table reads "before" from it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(ROOT, "dist", "scripts", "rl-learning.js");

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
  const before = JSON.parse(readFileSync(join(out, "qa-s1", "eval", "step-0.json"), "utf8")) as {
    tasks: { normalizedScore: number }[];
  };
  const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    rows: { task: string; before: number; after: number[] }[];
  };
  assert.equal(summary.rows[0]!.task, "qa");
  assert.equal(summary.rows[0]!.before, before.tasks[0]!.normalizedScore);
  assert.equal(summary.rows[0]!.after.length, 2);
});
