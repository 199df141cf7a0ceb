import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./helpers/temp-dir.js";
import { toyRow, writeTaskRows } from "./helpers/tiny-policy.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "qa-answers.js");

function qaRow(index: number, options: string[], key: string) {
  const row = toyRow("qa", index, `Question ${index}?`, key);
  return { ...row, extra_info: { ...row.extra_info, qtype: "synonym", options } };
}

test("qa-answers tells answers by content from a letter prior", () => {
  const dir = tempDir("qa-answers-");
  const four = ["w", "x", "y", "z"];
  const five = ["v", "w", "x", "y", "z"];
  // Four-option rows answered right every time, one key per letter: the letters picked are spread
  // as the keys are, so the frequencies alone predict 1 right of 4, and the answers get 4.
  // Five-option rows always answered A, keys A and C: 1 right, and the frequencies predict 1.
  const rows = [
    qaRow(0, four, "A"),
    qaRow(1, four, "B"),
    qaRow(2, four, "C"),
    qaRow(3, four, "D"),
    qaRow(4, five, "A"),
    qaRow(5, five, "C"),
  ];
  writeTaskRows(join(dir, "data"), "test", { qa: rows });
  const answers = ["A", "B", "C", "D", "A", "A"];
  const samples = answers.map((letter, index) => ({
    task: "qa",
    index,
    response: `The answer is (${letter}).`,
    metric: letter === rows[index]!.reward_model.ground_truth ? 1 : 0,
  }));
  const evalFile = join(dir, "eval.json");
  writeFileSync(evalFile, JSON.stringify({ samples }));

  const run = spawnSync(process.execPath, [script, evalFile, "--data", join(dir, "data")], {
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  const summary = JSON.parse(lines.at(-1)!);
  assert.equal(summary.n, 6);
  assert.equal(summary.letter_correct, 5 / 6);
  assert.ok(Math.abs(summary.predicted_by_letters - 2 / 6) < 1e-12, String(summary.predicted_by_letters));
  assert.match(run.stdout, /correct 5 of 6; predicted by the letter frequencies alone 2\.0/);
  assert.match(run.stdout, / 5 options +2 +1 +1\.0 +A 2/);
});

test("qa-answers names the file when it holds no qa samples", () => {
  const dir = tempDir("qa-answers-");
  const evalFile = join(dir, "eval.json");
  writeFileSync(evalFile, JSON.stringify({ samples: [] }));
  const run = spawnSync(process.execPath, [script, evalFile], { encoding: "utf8" });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /eval\.json: no qa samples/);
});

test("qa-answers reads the option an answer names, quoted or in the look-up reply's shape", () => {
  const dir = tempDir("qa-answers-");
  const options = ["w", "x", "y", "z"];
  const rows = [qaRow(0, options, "B"), qaRow(1, options, "C"), qaRow(2, options, "D")];
  writeTaskRows(join(dir, "data"), "test", { qa: rows });
  const responses = [
    'It is "x", so the answer is (B).', // named right, its letter
    "It is y, so the answer is (A).", // named right, another letter
    "It is w, so the answer is (D).", // named wrong
  ];
  const samples = responses.map((response, index) => ({ task: "qa", index, response, metric: 0 }));
  const evalFile = join(dir, "eval.json");
  writeFileSync(evalFile, JSON.stringify({ samples }));
  const run = spawnSync(process.execPath, [script, evalFile, "--data", join(dir, "data")], {
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  assert.equal(summary.names_option, 1);
  assert.equal(summary.named_right, 2 / 3);
  assert.equal(summary.letter_matches_named, 1 / 3);
  assert.equal(summary.letter_correct, 2 / 3);
});
