// Offline difficulty filtering for RL: keeps the rows of a split whose measured pass count lies in a
// range, so that GRPO trains only where a group of samples can disagree (a group that always or never
// passes carries no advantage). The pass counts come from an eval run with several samples per row:
//
//   node dist/scripts/pass-rate-filter.js --rows datasets/code/train.jsonl --max-rows-per-kind 40 --out D/code/train.jsonl
//   omni-thinker eval --model models/omni-tiny --data D --split train --tasks code --samples 8 \
//     --temperature 0.7 --keep-samples --out p8.json
//   node dist/scripts/pass-rate-filter.js --rows D/code/train.jsonl --eval p8.json --min 1 --max 7 --out F/code/train.jsonl
//
// --max-rows-per-kind keeps the first N rows of each row kind in file order (what the trainer's
// data.max_rows_per_kind does), so the rows measured are the rows a recipe trains on. With --eval, the
// eval result must hold every row of --rows (same task, same order): its samples carry row indices.
// --eval also takes a comma-separated list of results over consecutive slices of --rows, in order, so
// that a large split can be measured by one eval process per core:
//
//   omni-thinker eval --data HALF1 ... --out h1.json & omni-thinker eval --data HALF2 ... --out h2.json
//   node dist/scripts/pass-rate-filter.js --rows datasets/code/train.jsonl --eval h1.json,h2.json \
//     --keep-first-per-kind 40 --out F/code/train.jsonl
//
// --keep-first-per-kind N also keeps the first N rows of each kind whatever their pass count: the rows a
// capped recipe trains on, plus every other row where a group can disagree. The kept rows stay in file
// order.
//
// --kind-pass-range LO,HI selects whole kinds instead of rows: every row of a kind whose mean pass rate
// (passing samples over all its samples) lies in [LO, HI]. A kind's rate is measured over many rows, so
// it is steadier than one row's k samples, and it keeps a learnable family's rows the base happens to
// always or never solve.
//
// --holdout-per-kind N --holdout-out FILE set aside a validation split from the training rows before
// anything is selected: the last N rows of each kind (at most a quarter of the kind), written to FILE.
// They are never kept, and their pass counts do not enter a kind's rate, so a recipe chosen on them was
// chosen without the test split.
//
// --counts-out FILE writes the pass counts read from --eval as a small JSON file (one count per row of
// --rows, in order), and --counts FILE reads such a file in place of --eval: a recipe's measurement can
// be committed and its mix rebuilt from a fresh clone without rerunning the eval (datasets/README.md).
//
// The task is the folder --rows sits in (<dir>/<task>/<split>.jsonl) unless --task names it. Prints
// the rows kept per kind.
import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { parseArgs } from "node:util";
import { capRowsPerKind } from "../src/rl/trainer.js";
import { readRows, writeRows } from "../src/tasks/io.js";
import { type Row, rowKind } from "../src/tasks/schema.js";
import { writeFileAtomic } from "../src/util/atomic.js";

interface EvalSamples {
  model?: string;
  generation?: Record<string, unknown>;
  tasks?: { task: string; prompts: number; samplesPerPrompt: number }[];
  samples?: { task: string; index: number; metric: number }[];
}

function fail(message: string): never {
  console.error(`pass-rate-filter: ${message}`);
  process.exit(2);
}

/** Passing samples (metric 1) per row index of `task` in one eval result, checked against its row count. */
function passCounts(file: string, e: EvalSamples, task: string): { counts: number[]; samples: number } {
  const t = e.tasks?.find((x) => x.task === task);
  if (!t) fail(`${file}: no "${task}" task in this eval result (name it with --task)`);
  if (!e.samples) fail(`${file}: no samples (run eval with --keep-samples)`);
  const rows = t.prompts;
  const counts = new Array<number>(rows).fill(0);
  const seen = new Array<number>(rows).fill(0);
  for (const s of e.samples) {
    if (s.task !== task) continue;
    if (!Number.isInteger(s.index) || s.index < 0 || s.index >= rows)
      fail(`${file}: sample index ${s.index} is outside the ${rows} rows`);
    seen[s.index]!++;
    counts[s.index]! += Number(s.metric === 1);
  }
  const short = seen.findIndex((n) => n !== t.samplesPerPrompt);
  if (short >= 0) fail(`${file}: row ${short} has ${seen[short]} samples, expected ${t.samplesPerPrompt}`);
  return { counts, samples: t.samplesPerPrompt };
}

/** Pass counts over consecutive slices of the rows, one eval result per slice. */
function joinedPassCounts(files: string[], task: string, rows: number) {
  const counts: number[] = [];
  let samples = 0;
  for (const file of files) {
    let e: EvalSamples;
    try {
      e = JSON.parse(readFileSync(file, "utf8")) as EvalSamples;
    } catch (err) {
      fail(`${file}: cannot read an eval result: ${(err as Error).message}`);
    }
    const part = passCounts(file, e, task);
    if (samples && part.samples !== samples)
      fail(`${file}: ${part.samples} samples per row, the results before it have ${samples}`);
    samples = part.samples;
    counts.push(...part.counts);
  }
  if (counts.length !== rows)
    fail(
      `${files.join(", ")}: ${counts.length} ${task} rows were evaluated, --rows has ${rows} (evaluate the same file)`,
    );
  return { counts, samples };
}

/** Which model and sampling settings the eval results came from, for the counts file. */
function evalSource(files: string): string {
  const e = JSON.parse(readFileSync(files.split(",")[0]!, "utf8")) as EvalSamples;
  return `omni-thinker eval of ${e.model ?? "?"}, ${JSON.stringify(e.generation ?? {})}`;
}

/** A committed measurement: `samplesPerRow` samples of each row of `rows`, `counts[i]` of them passed. */
interface PassCountsFile {
  task: string;
  rows: number;
  samplesPerRow: number;
  source: string;
  counts: number[];
}

function readPassCounts(file: string, task: string, rows: number) {
  let c: PassCountsFile;
  try {
    c = JSON.parse(readFileSync(file, "utf8")) as PassCountsFile;
  } catch (err) {
    fail(`${file}: cannot read a pass-counts file: ${(err as Error).message}`);
  }
  if (c.task !== task) fail(`${file}: counts of task "${c.task}", --rows is "${task}" (name it with --task)`);
  if (!Number.isInteger(c.samplesPerRow) || c.samplesPerRow < 1)
    fail(`${file}: samplesPerRow must be a positive integer, got ${JSON.stringify(c.samplesPerRow)}`);
  if (!Array.isArray(c.counts) || c.counts.length !== rows || c.rows !== rows)
    fail(
      `${file}: counts for ${c.rows} rows (${c.counts?.length} listed), --rows has ${rows} (measure the same file)`,
    );
  const bad = c.counts.findIndex((n) => !Number.isInteger(n) || n < 0 || n > c.samplesPerRow);
  if (bad >= 0) fail(`${file}: counts[${bad}] is ${JSON.stringify(c.counts[bad])}, not 0-${c.samplesPerRow}`);
  return { counts: c.counts, samples: c.samplesPerRow };
}

const { values } = parseArgs({
  options: {
    rows: { type: "string" },
    out: { type: "string" },
    eval: { type: "string" },
    counts: { type: "string" },
    "counts-out": { type: "string" },
    min: { type: "string" },
    max: { type: "string" },
    "max-rows-per-kind": { type: "string" },
    "keep-first-per-kind": { type: "string" },
    "kind-pass-range": { type: "string" },
    "holdout-per-kind": { type: "string" },
    "holdout-out": { type: "string" },
    task: { type: "string" },
  },
});
if (!values.rows || !values.out) fail("--rows FILE and --out FILE are required");
const count = (name: "min" | "max" | "max-rows-per-kind" | "keep-first-per-kind" | "holdout-per-kind") => {
  const x = Number(values[name]);
  if (!Number.isInteger(x) || x < 0)
    fail(`--${name} must be a non-negative integer, got ${JSON.stringify(values[name])}`);
  return x;
};

/** `--kind-pass-range LO,HI` as two fractions with 0 <= LO <= HI <= 1. */
function fractionRange(text: string): [number, number] {
  const parts = text.split(",").map(Number);
  const [lo, hi] = parts;
  if (parts.length !== 2 || !(lo! >= 0 && lo! <= hi! && hi! <= 1))
    fail(`--kind-pass-range must be LO,HI with 0 <= LO <= HI <= 1, got ${JSON.stringify(text)}`);
  return [lo!, hi!];
}

/** The last `n` rows of each kind, at most a quarter of the kind's rows. */
function holdoutRows(rows: Row[], n: number): Set<Row> {
  const byKind = new Map<string, Row[]>();
  for (const r of rows) {
    const kind = rowKind(r) ?? "";
    byKind.set(kind, [...(byKind.get(kind) ?? []), r]);
  }
  const held = new Set<Row>();
  for (const kindRows of byKind.values())
    for (const r of kindRows.slice(kindRows.length - Math.min(n, Math.floor(kindRows.length / 4))))
      held.add(r);
  return held;
}

/** Each kind's mean pass rate: its rows' passing samples over all their samples. */
function kindPassRates(rows: Row[], counts: number[], samples: number) {
  const tally = new Map<string, { passed: number; drawn: number }>();
  rows.forEach((r, i) => {
    const t = tally.get(rowKind(r) ?? "") ?? { passed: 0, drawn: 0 };
    tally.set(rowKind(r) ?? "", { passed: t.passed + counts[i]!, drawn: t.drawn + samples });
  });
  return new Map([...tally].map(([kind, t]) => [kind, t.passed / t.drawn]));
}

let rows: Row[] = await readRows(values.rows);
if (values["max-rows-per-kind"] !== undefined) rows = capRowsPerKind(rows, count("max-rows-per-kind"));
if (values.eval && values.counts) fail("--eval and --counts are two sources of the same counts: give one");
if (values["counts-out"] && !values.eval)
  fail("--counts-out writes the counts read from --eval: give --eval");
const measuredBy = values.eval ?? values.counts;
for (const option of ["keep-first-per-kind", "kind-pass-range"] as const)
  if (values[option] !== undefined && !measuredBy)
    fail(`--${option} needs --eval or --counts (without them every row is kept)`);
if ((values["holdout-per-kind"] === undefined) !== (values["holdout-out"] === undefined))
  fail("--holdout-per-kind N and --holdout-out FILE go together");
if (values["kind-pass-range"] !== undefined && (values.min !== undefined || values.max !== undefined))
  fail("--kind-pass-range selects whole kinds; --min and --max select rows: give one or the other");
const held =
  values["holdout-per-kind"] === undefined ? new Set<Row>() : holdoutRows(rows, count("holdout-per-kind"));
const pool = rows.filter((r) => !held.has(r)); // the rows a mix may take
let kept = pool;
if (measuredBy) {
  // the eval's task name: datasets are laid out as <dir>/<task>/<split>.jsonl
  const task = values.task ?? basename(dirname(values.rows));
  const measured = values.eval
    ? joinedPassCounts(values.eval.split(","), task, rows.length)
    : readPassCounts(values.counts!, task, rows.length);
  if (values["counts-out"]) {
    const out: PassCountsFile = {
      task,
      rows: rows.length,
      samplesPerRow: measured.samples,
      source: evalSource(values.eval!),
      counts: measured.counts,
    };
    writeFileAtomic(values["counts-out"], `${JSON.stringify(out)}\n`); // compact: a count per row
    console.log(`wrote the pass counts of ${rows.length} rows to ${values["counts-out"]}`);
  }
  const counts = measured.counts.filter((_, i) => !held.has(rows[i]!)); // indexed like pool
  const samples = measured.samples;
  let inRange: (i: number) => boolean;
  if (values["kind-pass-range"] !== undefined) {
    const [lo, hi] = fractionRange(values["kind-pass-range"]);
    const rates = kindPassRates(pool, counts, samples);
    const chosen = [...rates].filter(([, p]) => p >= lo && p <= hi);
    console.log(
      `kinds passing ${lo}-${hi} of their samples: ${chosen.map(([k, p]) => `${k} ${p.toFixed(3)}`).join(", ") || "none"}`,
    );
    const kinds = new Set(chosen.map(([k]) => k));
    inRange = (i) => kinds.has(rowKind(pool[i]!) ?? "");
  } else {
    const [lo, hi] = [
      values.min === undefined ? 1 : count("min"),
      values.max === undefined ? samples - 1 : count("max"),
    ];
    if (lo > hi) fail(`--min ${lo} is above --max ${hi}`);
    inRange = (i) => counts[i]! >= lo && counts[i]! <= hi;
    const n = counts.filter((_, i) => inRange(i)).length;
    console.log(`rows passing ${lo}-${hi} of ${samples} samples: ${n} of ${counts.length}`);
  }
  const keepFirst = values["keep-first-per-kind"] === undefined ? 0 : count("keep-first-per-kind");
  const first = new Set(capRowsPerKind(pool, keepFirst));
  if (keepFirst)
    console.log(`kept whatever their pass count: the first ${keepFirst} rows of each kind (${first.size})`);
  kept = pool.filter((r, i) => inRange(i) || first.has(r));
}
if (values["holdout-out"]) {
  writeRows(
    values["holdout-out"],
    rows.filter((r) => held.has(r)),
  );
  console.log(
    `held out ${held.size} rows (the last ${values["holdout-per-kind"]} of each kind, at most a quarter of it) to ${values["holdout-out"]}`,
  );
}
writeRows(values.out, kept);
const byKind = new Map<string, number>();
for (const r of kept) byKind.set(rowKind(r) ?? "-", (byKind.get(rowKind(r) ?? "-") ?? 0) + 1);
console.log(
  [...byKind]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", "),
);
console.log(`wrote ${kept.length} rows to ${values.out}`);
