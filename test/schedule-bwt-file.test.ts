import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as scheduleCommand from "../src/cli/commands/schedule.js";
import { ConfigError } from "../src/config/load.js";
import { readBwtFile, writeBwtFile } from "../src/schedule/bwt.js";
import { runCommand } from "./helpers/run-command.js";
import { tempDir } from "./helpers/temp-dir.js";

function writeJson(value: unknown, text?: string): string {
  const file = join(tempDir("bwt-"), "bwt.json");
  writeFileSync(file, text ?? JSON.stringify(value));
  return file;
}

const good = {
  tasks: ["math", "code", "writing"],
  A_star: [0.6, 0.5, 0.7],
  B: [
    [0, 0.04, -0.02],
    [0.01, 0, -0.03],
    [-0.1, -0.05, 0],
  ],
  mode: "full",
  seeds: 3,
};

function rejects(value: unknown, pattern: RegExp): void {
  const file = writeJson(value);
  assert.throws(
    () => readBwtFile(file),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test("a valid bwt.json loads, and writeBwtFile round-trips it", () => {
  const bwt = readBwtFile(writeJson(good));
  assert.deepEqual(bwt.tasks, good.tasks);
  assert.equal(bwt.B[2]![0], -0.1);
  const copy = writeJson({});
  writeBwtFile(copy, bwt);
  assert.deepEqual(readBwtFile(copy), bwt);
});

test("shape errors name the file and the field: A_star, base, a row of B, B_stderr", () => {
  rejects({ ...good, A_star: [0.6, 0.5] }, /A_star: expected 3 entries .* got 2/);
  rejects({ ...good, base: [0.1] }, /base: expected 3 entries/);
  rejects({ ...good, B: [good.B[0], [0.01, 0], good.B[2]] }, /B\[1\]: expected 3 columns .* got 2/);
  rejects({ ...good, B: good.B.slice(0, 2) }, /B: expected 3 rows/);
  rejects({ ...good, B_stderr: [[0, 0, 0]] }, /B_stderr: expected 3 rows/);
  rejects({ ...good, B_stderr: good.B }, /B_stderr\[0\]\[2\]: a standard error cannot be negative/);
});

test("type errors name the field: mode, a B entry, duplicate tasks, unknown keys", () => {
  rejects({ ...good, mode: "fast" }, /mode/);
  rejects({ ...good, B: [[0, "x", 0], good.B[1], good.B[2]] }, /B\[0\]\[1\]/);
  rejects({ ...good, tasks: ["math", "math", "writing"] }, /tasks\[1\]: duplicate task name "math"/);
  rejects({ ...good, Bstar: [] }, /Bstar/);
  const { mode: _mode, ...noMode } = good;
  rejects(noMode, /mode/);
});

test("unreadable or non-JSON files are errors naming the file", () => {
  const file = writeJson(null, "{ tasks: [");
  assert.throws(() => readBwtFile(file), /bwt\.json: invalid config[\s\S]*cannot read JSON/);
  assert.throws(
    () => readBwtFile("/nonexistent/bwt.json"),
    /\/nonexistent\/bwt\.json[\s\S]*cannot read JSON/,
  );
});

test("`schedule --json` prints the best order for the curriculum and the predicted gaps", async () => {
  const { stdout } = await runCommand(scheduleCommand, ["schedule", "--bwt", writeJson(good), "--json"]);
  const report = JSON.parse(stdout);
  assert.deepEqual(report.best.order, ["writing", "code", "math"]);
  assert.ok(Math.abs(report.best.mean - 1.79 / 3) < 1e-9);
  assert.ok(Math.abs(report.best.perTask.code - 0.54) < 1e-9);
  assert.deepEqual(report.worst.order, ["math", "code", "writing"]);
  assert.deepEqual(report.heuristic.order, ["math", "code", "writing"]);
  assert.ok(Math.abs(report.gaps.bestMinusWorst - 0.13 / 3) < 1e-9);
  assert.ok(Math.abs(report.gaps.bestMinusHeuristic - 0.13 / 3) < 1e-9);
  assert.equal(report.exhaustive, true);
});

test("`schedule` prints the matrix, the orders and the gaps; a bad file is an error naming it", async () => {
  const file = writeJson(good);
  const { stdout: out } = await runCommand(scheduleCommand, [
    "schedule",
    "--bwt",
    file,
    "--open-ended",
    "writing",
  ]);
  assert.match(out, /row = task trained LATER, column = task affected/);
  assert.match(out, /best: writing -> code -> math/);
  assert.match(out, /worst: math -> code -> writing/);
  assert.match(out, /heuristic \(structured first, open-ended last: writing\): math -> code -> writing/);
  assert.match(out, /best - worst = \+0\.0433, best - heuristic = \+0\.0433/);
  const bad = writeJson({ ...good, A_star: [1] });
  await assert.rejects(runCommand(scheduleCommand, ["schedule", "--bwt", bad]), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.ok(err.message.includes(bad), err.message);
    assert.match(err.message, /A_star/);
    return true;
  });
});
