import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, afterEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as dataCommand from "../src/cli/commands/data.js";
import { convertRows } from "../src/tasks/convert.js";
import { inspectFile } from "../src/tasks/inspect.js";
import { TASK_NAMES } from "../src/tasks/schema.js";
import { runCommand } from "./helpers/run-command.js";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const testFile = (task: string) => join(ROOT, "datasets", task, "test.jsonl");
const tmp = tempDir("omni-data-cli-");
after(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = 0;
});

test("`data inspect` on the four committed test splits is clean: 500 rows each, exit code 0", async () => {
  const out = await runCommand(dataCommand, ["data", "inspect", ...TASK_NAMES.map(testFile)]);
  assert.equal(process.exitCode ?? 0, 0);
  assert.equal(out.stderr, "");
  for (const task of TASK_NAMES) {
    assert.match(out.stdout, new RegExp(`${task}/test\\.jsonl: 500 rows, 0 with problems \\(0 problems\\)`));
    assert.match(out.stdout, new RegExp(`\\n  ${task} +500 `));
  }
  assert.equal(out.stdout.match(/splits: test 500\n/g)?.length, 4);
});

test("`data inspect` counts rows by difficulty exactly as the file holds them", async () => {
  const r = await inspectFile(testFile("math"));
  const expected: Record<string, number> = {};
  for (const line of readFileSync(testFile("math"), "utf8").trim().split("\n")) {
    const d = String(JSON.parse(line).extra_info.difficulty);
    expected[d] = (expected[d] ?? 0) + 1;
  }
  assert.deepEqual(r.bySource.math!.byDifficulty, expected);
  assert.deepEqual(Object.keys(expected).sort(), ["1", "2", "3", "4"]);
  assert.equal(r.bySource.math!.withReference, 500);
  assert.deepEqual(r.bySplit, { test: 500 });
});

test("`data inspect` on a broken file names file, line and field, and exits non-zero", async () => {
  const lines = readFileSync(testFile("qa"), "utf8").trim().split("\n").slice(0, 5);
  const row2 = JSON.parse(lines[1]!);
  delete row2.reward_model.ground_truth;
  lines[1] = JSON.stringify(row2);
  const row4 = JSON.parse(lines[3]!);
  row4.extra_info.difficulty = 9;
  row4.prompt[0].role = "";
  lines[3] = JSON.stringify(row4);
  lines[4] = "{not json";
  const file = join(tmp, "broken.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);

  const out = await runCommand(dataCommand, ["data", "inspect", file]);
  assert.equal(process.exitCode, 1);
  assert.match(out.stdout, /broken\.jsonl: 5 rows, 3 with problems \(4 problems\)/);
  assert.ok(out.stdout.includes(`${file}:2: reward_model.ground_truth: `), out.stdout);
  assert.ok(out.stdout.includes(`${file}:4: extra_info.difficulty: `), out.stdout);
  assert.ok(out.stdout.includes(`${file}:4: prompt[0].role: `), out.stdout);
  assert.ok(out.stdout.includes(`${file}:5: (row): invalid JSON`), out.stdout);
  // The two valid rows are still counted.
  assert.match(out.stdout, /\n {2}qa +2 /);
  assert.match(out.stderr, /4 schema problem\(s\) in 1 file\(s\)/);
});

test("`data inspect` reports a missing file as a problem of that file", async () => {
  const out = await runCommand(dataCommand, ["data", "inspect", join(tmp, "nope.jsonl"), testFile("math")]);
  assert.equal(process.exitCode, 1);
  assert.match(out.stdout, /nope\.jsonl:0: \(file\): ENOENT/);
  assert.match(out.stdout, /math\/test\.jsonl: 500 rows, 0 with problems/);
});

test("`data convert` JSONL -> Parquet -> JSONL gives back the same bytes for every task", async () => {
  for (const task of TASK_NAMES) {
    const parquet = join(tmp, `${task}.parquet`);
    const back = join(tmp, `${task}.jsonl`);
    const first = await runCommand(dataCommand, ["data", "convert", testFile(task), parquet]);
    assert.match(first.stdout, /\(jsonl\) -> .*\(parquet\): 500 rows/);
    await runCommand(dataCommand, ["data", "convert", parquet, back]);
    assert.equal(process.exitCode ?? 0, 0);
    assert.ok(readFileSync(back).equals(readFileSync(testFile(task))), `${task} did not round-trip`);
    // The Parquet file is a real Parquet file, and it is inspected like the JSONL one.
    assert.equal(readFileSync(parquet).subarray(0, 4).toString(), "PAR1");
    const r = await inspectFile(parquet);
    assert.equal(r.bySource[task]!.rows, 500);
    assert.equal(r.problems.length, 0);
  }
});

test("`data convert` writes nothing from a file with schema problems unless --allow-invalid", async () => {
  const lines = readFileSync(testFile("math"), "utf8").trim().split("\n").slice(0, 3);
  const row = JSON.parse(lines[2]!);
  row.data_source = "";
  lines[2] = JSON.stringify(row);
  const file = join(tmp, "bad-math.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const target = join(tmp, "bad-math.parquet");

  const out = await runCommand(dataCommand, ["data", "convert", file, target]);
  assert.equal(process.exitCode, 1);
  assert.ok(out.stderr.includes(`${file}:3: data_source: `), out.stderr);
  assert.match(out.stderr, /nothing written/);
  assert.throws(() => readFileSync(target), /ENOENT/);

  const forced = await convertRows(file, target, { allowInvalid: true });
  assert.equal(forced.written, true);
  assert.equal(forced.rows, 3);
  assert.equal(forced.problems.length, 1);
  assert.equal((await inspectFile(target)).problems[0]!.line, 3);
});

test("`data convert` refuses an unknown extension", async () => {
  await assert.rejects(
    runCommand(dataCommand, ["data", "convert", testFile("qa"), join(tmp, "x.csv")]),
    /unknown dataset format '\.csv'/,
  );
});

test("a verl GSM8K-style row without difficulty is valid, counted under difficulty and split 'none'", async () => {
  const file = join(tmp, "gsm8k-like.jsonl");
  const row = {
    data_source: "openai/gsm8k",
    prompt: [{ role: "user", content: "Natalia sold 48 clips in April... Let's think step by step." }],
    ability: "math",
    reward_model: { style: "rule", ground_truth: "72" },
    extra_info: { answer: "#### 72", question: "Natalia sold 48 clips..." },
  };
  writeFileSync(file, `${JSON.stringify(row)}\n${JSON.stringify({ ...row, extra_info: undefined })}\n`);
  const r = await inspectFile(file);
  assert.equal(r.problems.length, 0);
  assert.deepEqual(r.bySource["openai/gsm8k"]!.byDifficulty, { none: 2 });
});
