// Builds the bundled datasets: datasets/<task>/{train,sft,test}.jsonl for the four tasks.
// Deterministic: the same seed and sizes give byte-identical files (each task draws from its own
// seeded stream, rows are written with stable key order, no timestamps). Code references are run
// against all of their tests with python3 before anything is written.
//
//   npm run data:build -- [--seed N] [--out DIR] [--tasks math,code,qa,writing] [--sizes 5000,2000,500]
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileAtomic } from "../util/atomic.js";
import { codeTask, referenceCode } from "./code/generate.js";
import { runPythonChecks } from "./code/verify.js";
import { buildSplits, DEFAULT_SIZES, type SplitSizes, type TaskGenerator } from "./dataset.js";
import { rowsToJsonl } from "./io.js";
import { mathTask } from "./math/generate.js";
import { qaTask } from "./qa/generate.js";
import { type Row, SPLITS, type Split, TASK_NAMES, type TaskName } from "./schema.js";
import { writingTask } from "./writing/generate.js";

export const DEFAULT_SEED = 1;
export const DEFAULT_OUT = "datasets";

export const TASK_GENERATORS: Record<TaskName, TaskGenerator> = {
  math: mathTask,
  code: codeTask,
  qa: qaTask,
  writing: writingTask,
};

export interface BuildOptions {
  seed: number;
  out: string;
  tasks: TaskName[];
  sizes: SplitSizes;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

export interface TaskBuildReport {
  task: TaskName;
  rows: Record<Split, number>;
  bytes: Record<Split, number>;
  ms: number;
}

/** Builds one task's splits in memory; a code reference that fails its own tests aborts the build. */
export function buildTaskRows(task: TaskName, seed: number, sizes: SplitSizes): Record<Split, Row[]> {
  const splits = buildSplits(TASK_GENERATORS[task], seed, sizes);
  if (task === "code") checkCodeReferences(SPLITS.flatMap((s) => splits[s]));
  return splits;
}

/** Runs every code row's reference against all of its tests (visible and hidden) with python3. */
export function checkCodeReferences(rows: Row[]): void {
  const failures = runPythonChecks(
    rows.map((r) => ({
      id: `${r.extra_info.split}:${r.extra_info.index}`,
      code: referenceCode(r.extra_info.reference ?? ""),
      tests: (r.reward_model.ground_truth as { tests: string[] }).tests,
    })),
  );
  if (failures.length > 0) {
    const shown = failures.slice(0, 10).map((f) => `  - ${f.id}: ${f.test}: ${f.error}`);
    throw new Error(`${failures.length} code reference(s) fail their own tests:\n${shown.join("\n")}`);
  }
}

/** The JSONL text of each split, exactly as the files hold it. */
export function splitsToJsonl(splits: Record<Split, Row[]>): Record<Split, string> {
  return { train: rowsToJsonl(splits.train), sft: rowsToJsonl(splits.sft), test: rowsToJsonl(splits.test) };
}

export function buildDatasets(opts: BuildOptions): TaskBuildReport[] {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const reports: TaskBuildReport[] = [];
  for (const task of opts.tasks) {
    const t0 = performance.now();
    log(
      `[${task}] generating ${opts.sizes.train} train, ${opts.sizes.sft} sft, ${opts.sizes.test} test rows`,
    );
    const splits = buildTaskRows(task, opts.seed, opts.sizes);
    const rows = {} as Record<Split, number>;
    const bytes = {} as Record<Split, number>;
    const texts = splitsToJsonl(splits);
    mkdirSync(join(opts.out, task), { recursive: true });
    for (const split of SPLITS) {
      writeFileAtomic(join(opts.out, task, `${split}.jsonl`), texts[split]);
      rows[split] = splits[split].length;
      bytes[split] = Buffer.byteLength(texts[split]);
    }
    const ms = performance.now() - t0;
    const total = (bytes.train + bytes.sft + bytes.test) / 1e6;
    log(
      `[${task}] wrote ${join(opts.out, task)}/{train,sft,test}.jsonl (${total.toFixed(2)} MB) in ${(ms / 1000).toFixed(1)} s`,
    );
    reports.push({ task, rows, bytes, ms });
  }
  return reports;
}

/** `--sizes 5000,2000,500` or `--sizes train=5000,sft=2000,test=500` (missing keys keep defaults). */
export function parseSizes(text: string): SplitSizes {
  const sizes: SplitSizes = { ...DEFAULT_SIZES };
  const parts = text.split(",").map((p) => p.trim());
  const named = parts.every((p) => p.includes("="));
  if (!named && parts.length !== 3)
    throw new Error(`--sizes: expected train,sft,test or split=n, got "${text}"`);
  parts.forEach((part, i) => {
    const [key, value] = named ? part.split("=") : [SPLITS[i], part];
    if (!(SPLITS as readonly string[]).includes(key!)) throw new Error(`--sizes: unknown split "${key}"`);
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--sizes: ${key} must be a non-negative integer, got "${value}"`);
    sizes[key as Split] = n;
  });
  return sizes;
}

export function parseTasks(text: string): TaskName[] {
  const tasks = text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of tasks) {
    if (!(TASK_NAMES as readonly string[]).includes(t))
      throw new Error(`--tasks: unknown task "${t}" (known: ${TASK_NAMES.join(", ")})`);
  }
  return tasks as TaskName[];
}

export function parseBuildArgs(argv: string[]): BuildOptions {
  const opts: BuildOptions = {
    seed: DEFAULT_SEED,
    out: DEFAULT_OUT,
    tasks: [...TASK_NAMES],
    sizes: { ...DEFAULT_SIZES },
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = eq > 0 && arg.startsWith("--") ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0 && arg.startsWith("--")) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--seed") {
      const v = value();
      opts.seed = Number(v);
      if (!Number.isInteger(opts.seed) || opts.seed < 0)
        throw new Error(`--seed must be a non-negative integer, got "${v}"`);
    } else if (flag === "--out") opts.out = value();
    else if (flag === "--tasks") opts.tasks = parseTasks(value());
    else if (flag === "--sizes") opts.sizes = parseSizes(value());
    else if (flag === "--help" || flag === "-h") {
      throw new HelpRequested();
    } else throw new Error(`unknown option "${arg}"`);
  }
  return opts;
}

class HelpRequested extends Error {}

const USAGE = `usage: npm run data:build -- [--seed N] [--out DIR] [--tasks ${TASK_NAMES.join(",")}] [--sizes train,sft,test]
defaults: --seed ${DEFAULT_SEED} --out ${DEFAULT_OUT} --sizes ${DEFAULT_SIZES.train},${DEFAULT_SIZES.sft},${DEFAULT_SIZES.test}`;

function main(argv: string[]): void {
  let opts: BuildOptions;
  try {
    opts = parseBuildArgs(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(USAGE);
      return;
    }
    console.error(`data:build: ${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const t0 = performance.now();
  const reports = buildDatasets(opts);
  const bytes = reports.reduce((a, r) => a + r.bytes.train + r.bytes.sft + r.bytes.test, 0);
  process.stderr.write(
    `built ${reports.length} task(s) into ${resolve(opts.out)} (${(bytes / 1e6).toFixed(2)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

/** Reads a built file back as text (used by the rebuild tests). */
export function readSplitText(dir: string, task: TaskName, split: Split): string {
  return readFileSync(join(dir, task, `${split}.jsonl`), "utf8");
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
