import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./helpers/temp-dir.js";
import { toyRow, writeTaskRows } from "./helpers/tiny-policy.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "pass-rate-filter.js");

const run = (args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
const readIndices = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { extra_info: { index: number } }).extra_info.index);

function codeRow(index: number, family: string) {
  const row = toyRow("code", index, `Task ${index}`, { tests: ["assert True"] });
  return { ...row, extra_info: { ...row.extra_info, family } };
}

/** An eval result with `perRow[i]` passing samples of `n` for row i. */
function evalFile(file: string, perRow: number[], n: number) {
  const samples = perRow.flatMap((pass, index) =>
    Array.from({ length: n }, (_, k) => ({ task: "code", index, metric: Number(k < pass) })),
  );
  writeFileSync(
    file,
    JSON.stringify({ tasks: [{ task: "code", prompts: perRow.length, samplesPerPrompt: n }], samples }),
  );
}

test("pass-rate-filter caps rows per kind, then keeps the rows whose pass count is in range", () => {
  const dir = tempDir("pass-rate-filter-");
  const families = ["a", "a", "b", "a", "b", "b", "c"];
  writeTaskRows(join(dir, "all"), "train", { code: families.map((f, i) => codeRow(i, f)) });

  const capped = join(dir, "capped", "code", "train.jsonl");
  const cap = run([
    "--rows",
    join(dir, "all", "code", "train.jsonl"),
    "--max-rows-per-kind",
    "2",
    "--out",
    capped,
  ]);
  assert.equal(cap.status, 0, cap.stderr);
  assert.deepEqual(readIndices(capped), [0, 1, 2, 4, 6], "the first two of each kind, in file order");

  // rows 0..4 of the capped file pass 0, 3, 4, 1 and 4 times of 4: 1-3 passes by default (not all, not none)
  const p4 = join(dir, "p4.json");
  evalFile(p4, [0, 3, 4, 1, 4], 4);
  const kept = join(dir, "kept", "code", "train.jsonl");
  const filter = run(["--rows", capped, "--eval", p4, "--out", kept]);
  assert.equal(filter.status, 0, filter.stderr);
  assert.match(filter.stdout, /rows passing 1-3 of 4 samples: 2 of 5/);
  assert.deepEqual(readIndices(kept), [1, 4], "capped rows 1 and 3 are dataset rows 1 and 4");

  const some = join(dir, "some.jsonl");
  assert.equal(
    run(["--rows", capped, "--eval", p4, "--min", "3", "--max", "4", "--task", "code", "--out", some]).status,
    0,
  );
  assert.deepEqual(readIndices(some), [1, 2, 6]);
});

test("pass-rate-filter joins eval results of consecutive slices and keeps each kind's first rows", () => {
  const dir = tempDir("pass-rate-filter-join-");
  const families = ["a", "a", "b", "a", "b", "b", "c", "a"];
  writeTaskRows(dir, "train", { code: families.map((f, i) => codeRow(i, f)) });
  const rows = join(dir, "code", "train.jsonl");

  // rows 0-4 in one result, rows 5-7 in another: passes 0, 4, 2, 0, 0 | 1, 4, 3 of 4
  const [h1, h2] = [join(dir, "h1.json"), join(dir, "h2.json")];
  evalFile(h1, [0, 4, 2, 0, 0], 4);
  evalFile(h2, [1, 4, 3], 4);
  const kept = join(dir, "kept.jsonl");
  const joined = run(["--rows", rows, "--eval", `${h1},${h2}`, "--out", kept]);
  assert.equal(joined.status, 0, joined.stderr);
  assert.match(joined.stdout, /rows passing 1-3 of 4 samples: 3 of 8/);
  assert.deepEqual(readIndices(kept), [2, 5, 7], "the second result's row 0 is row 5");

  // plus the first row of each kind (0, 2, 6), whatever it passes; file order, no duplicates
  const plus = run(["--rows", rows, "--eval", `${h1},${h2}`, "--keep-first-per-kind", "1", "--out", kept]);
  assert.equal(plus.status, 0, plus.stderr);
  assert.match(plus.stdout, /the first 1 rows of each kind \(3\)/);
  assert.deepEqual(readIndices(kept), [0, 2, 5, 6, 7]);

  const short = run(["--rows", rows, "--eval", h1, "--out", kept]);
  assert.equal(short.status, 2);
  assert.match(short.stderr, /h1\.json: 5 code rows were evaluated, --rows has 8/);

  const h2by2 = join(dir, "h2-by-2.json");
  evalFile(h2by2, [1, 1, 1], 2);
  assert.match(
    run(["--rows", rows, "--eval", `${h1},${h2by2}`, "--out", kept]).stderr,
    /h2-by-2\.json: 2 samples per row, the results before it have 4/,
  );
  assert.match(
    run(["--rows", rows, "--keep-first-per-kind", "1", "--out", kept]).stderr,
    /--keep-first-per-kind needs --eval/,
  );
});

test("pass-rate-filter refuses an eval result of other rows and names the problem", () => {
  const dir = tempDir("pass-rate-filter-bad-");
  writeTaskRows(dir, "train", { code: [codeRow(0, "a"), codeRow(1, "a")] });
  const rows = join(dir, "code", "train.jsonl");
  const out = join(dir, "out.jsonl");

  const three = join(dir, "three.json");
  evalFile(three, [1, 1, 1], 2);
  const wrongCount = run(["--rows", rows, "--eval", three, "--out", out]);
  assert.equal(wrongCount.status, 2);
  assert.match(wrongCount.stderr, /three\.json: 3 code rows were evaluated, --rows has 2/);

  const bare = join(dir, "bare.json");
  writeFileSync(bare, JSON.stringify({ tasks: [{ task: "code", prompts: 2, samplesPerPrompt: 2 }] }));
  assert.match(
    run(["--rows", rows, "--eval", bare, "--out", out]).stderr,
    /bare\.json: no samples \(run eval with --keep-samples\)/,
  );

  const otherTask = join(dir, "math.json");
  writeFileSync(
    otherTask,
    JSON.stringify({ tasks: [{ task: "math", prompts: 2, samplesPerPrompt: 2 }], samples: [] }),
  );
  assert.match(
    run(["--rows", rows, "--eval", otherTask, "--out", out]).stderr,
    /math\.json: no "code" task in this eval result \(name it with --task\)/,
  );

  const broken = join(dir, "broken.json");
  writeFileSync(broken, "{ not json");
  assert.match(
    run(["--rows", rows, "--eval", broken, "--out", out]).stderr,
    /broken\.json: cannot read an eval result/,
  );

  const two = join(dir, "two.json");
  evalFile(two, [1, 2], 2);
  const badMax = run(["--rows", rows, "--eval", two, "--max", "x", "--out", out]);
  assert.equal(badMax.status, 2);
  assert.match(badMax.stderr, /--max must be a non-negative integer, got "x"/);
});

test("pass-rate-filter holds out the last rows of each kind and selects whole kinds by their pass rate", () => {
  const dir = tempDir("pass-rate-filter-kinds-");
  // kind a: 8 rows, kind b: 4 rows, kind c: 2 rows (too few to hold any out: a quarter is 0)
  const families = ["a", "b", "a", "a", "b", "a", "c", "a", "b", "a", "c", "a", "b", "a"];
  writeTaskRows(dir, "train", { code: families.map((f, i) => codeRow(i, f)) });
  const rows = join(dir, "code", "train.jsonl");
  // passes of 4: kind a (rows 0 2 3 5 7 9 11 13) 4 4 0 4 4 | 4 0 0; b (1 4 8 12) 1 2 1 | 4; c (6 10) 0 0
  const p4 = join(dir, "p4.json");
  evalFile(p4, [4, 1, 4, 0, 2, 4, 0, 4, 1, 4, 0, 0, 4, 0], 4);
  const [kept, val] = [join(dir, "kept.jsonl"), join(dir, "val.jsonl")];
  const args = ["--rows", rows, "--eval", p4, "--holdout-per-kind", "3", "--holdout-out", val, "--out", kept];

  // held out: a's last 2 (a quarter of 8: rows 11, 13), b's last 1 (row 12), none of c
  const byRow = run(args);
  assert.equal(byRow.status, 0, byRow.stderr);
  assert.deepEqual(readIndices(val), [11, 12, 13]);
  assert.match(byRow.stdout, /rows passing 1-3 of 4 samples: 3 of 11/);
  assert.deepEqual(readIndices(kept), [1, 4, 8], "row 12 passes 4 of 4 and is held out anyway");

  // kind rates over the rows not held out: a 20/24 = 0.833, b 4/12 = 0.333, c 0
  const byKind = run([...args, "--kind-pass-range", "0.2,0.8", "--keep-first-per-kind", "1"]);
  assert.equal(byKind.status, 0, byKind.stderr);
  assert.match(byKind.stdout, /kinds passing 0\.2-0\.8 of their samples: b 0\.333$/m);
  assert.deepEqual(
    readIndices(kept),
    [0, 1, 4, 6, 8],
    "every b row but the held-out one, plus a's and c's first",
  );

  assert.match(
    run([...args, "--kind-pass-range", "0.8,0.2"]).stderr,
    /--kind-pass-range must be LO,HI with 0 <= LO <= HI <= 1, got "0\.8,0\.2"/,
  );
  assert.match(run([...args, "--kind-pass-range", "0,1", "--max", "2"]).stderr, /give one or the other/);
  assert.match(run([...args, "--kind-pass-range", "0,1", "--min", "1"]).stderr, /give one or the other/);
  assert.match(
    run(["--rows", rows, "--holdout-per-kind", "3", "--out", kept]).stderr,
    /--holdout-per-kind N and --holdout-out FILE go together/,
  );
  assert.match(run(["--rows", rows, "--kind-pass-range", "0,1", "--out", kept]).stderr, /needs --eval/);
});

test("pass-rate-filter writes the measured counts and rebuilds the same mix from them alone", () => {
  const dir = tempDir("pass-rate-filter-counts-");
  const families = ["a", "b", "a", "a", "b", "a", "b", "a"];
  writeTaskRows(dir, "train", { code: families.map((f, i) => codeRow(i, f)) });
  const rows = join(dir, "code", "train.jsonl");
  const p4 = join(dir, "p4.json");
  evalFile(p4, [4, 1, 2, 0, 3, 4, 0, 1], 4);
  const [counts, fromEval, fromCounts] = ["counts.json", "a.jsonl", "b.jsonl"].map((f) => join(dir, f));
  const select = ["--holdout-per-kind", "1", "--holdout-out", join(dir, "val.jsonl")];

  const first = run(["--rows", rows, "--eval", p4, "--counts-out", counts, ...select, "--out", fromEval]);
  assert.equal(first.status, 0, first.stderr);
  const saved = JSON.parse(readFileSync(counts, "utf8"));
  assert.deepEqual(saved.counts, [4, 1, 2, 0, 3, 4, 0, 1]);
  assert.equal(saved.samplesPerRow, 4);
  assert.equal(saved.task, "code");

  const again = run(["--rows", rows, "--counts", counts, ...select, "--out", fromCounts]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(readIndices(fromCounts), readIndices(fromEval));
  assert.deepEqual(readIndices(fromCounts), [1, 2, 4], "row 7 (1 pass) is held out");

  // a counts file of other rows, or a count above the samples, is named and refused
  writeFileSync(counts, JSON.stringify({ ...saved, rows: 7, counts: saved.counts.slice(1) }));
  assert.match(
    run(["--rows", rows, "--counts", counts, "--out", fromCounts]).stderr,
    /counts\.json: counts for 7 rows \(7 listed\), --rows has 8/,
  );
  writeFileSync(counts, JSON.stringify({ ...saved, counts: [5, 1, 2, 0, 3, 4, 0, 1] }));
  assert.match(
    run(["--rows", rows, "--counts", counts, "--out", fromCounts]).stderr,
    /counts\.json: counts\[0\] is 5, not 0-4/,
  );
  assert.match(
    run(["--rows", rows, "--eval", p4, "--counts", counts, "--out", fromCounts]).stderr,
    /give one/,
  );
});

test("the committed code pass counts rebuild the 531 training and 320 validation rows of the code recipe", () => {
  const dir = tempDir("pass-rate-filter-committed-");
  const [train, val] = [join(dir, "train.jsonl"), join(dir, "val.jsonl")];
  const built = run([
    "--rows",
    "datasets/code/train.jsonl",
    "--counts",
    "datasets/code/train.pass-counts.json",
    "--holdout-per-kind",
    "31",
    "--holdout-out",
    val,
    "--out",
    train,
  ]);
  assert.equal(built.status, 0, built.stderr);
  // the family counts docs/results.md records for rule A (twenty-fourth round)
  assert.match(
    built.stdout,
    /^clamp_values 283, replace_char 83, fizzbuzz_variant 60, filter_map_reduce 29, remove_chars 22, pad_string 21, count_chars_in_set 20, sum_multiples 10, words_by_length 3$/m,
  );
  assert.equal(readIndices(train).length, 531);
  assert.equal(readIndices(val).length, 320);
});
