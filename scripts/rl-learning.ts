// Does GRPO learn? Runs `omni-thinker train` for every task x seed (single-task, the default) or once
// per seed over all the tasks together (--joint), each run evaluating the held-out rows before its
// first step and after its last. Prints and writes a table: the score before, after each seed, the
// mean change, its standard error over seeds and a 95% t interval, and the wall time. Runs already
// finished (eval at the last step on disk) are reused.
//
//   node dist/scripts/rl-learning.js [--tasks math,code,qa,writing] [--seeds 0,1,2] [--steps 40]
//                                   [--config configs/single-task.yaml] [--out-dir runs/rl-learning]
//                                   [--model DIR] [--set optim.lr=5e-5 ...]
//                                   [--joint] [--before-seed S] [--best-of K [--select-split val]]
//
// --best-of K measures the recipe "train K seeds, keep the one that scores best on a validation
// split": the seeds are taken K at a time, each run's last checkpoint is evaluated greedily on
// --select-split of the run's data.dir (the run's own eval settings; the result is kept in the run's
// eval/ folder), and the seed with the best score is kept (a tie keeps the earlier seed). A second
// table gives each group's validation scores, its kept seed and the kept seeds' change on the
// held-out rows, with the interval over groups. The validation split must be carved from the
// training rows (scripts/pass-rate-filter.ts --holdout-per-kind), never from the test split.
//
// --joint trains one policy per seed on all --tasks (e.g. --config configs/joint.yaml); the table has
// a row per task and one for their mean. The score before training is greedy, so the same for every
// seed: only the run of --before-seed (default: the first of --seeds) evaluates it; the others skip
// it, and the table reads it from that run (which must exist: run that seed first or alongside).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseYaml } from "../src/config/load.js";

interface EvalFile {
  tasks: { task: string; normalizedScore: number }[];
  meanNormalizedScore: number;
}

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "math,code,qa,writing" },
    seeds: { type: "string", default: "0,1,2" },
    steps: { type: "string", default: "40" },
    config: { type: "string", default: "configs/single-task.yaml" },
    "out-dir": { type: "string", default: "runs/rl-learning" },
    model: { type: "string" },
    set: { type: "string", multiple: true, default: [] },
    joint: { type: "boolean", default: false },
    "before-seed": { type: "string" },
    "best-of": { type: "string", default: "1" },
    "select-split": { type: "string", default: "val" },
  },
});
const tasks = values.tasks.split(",");
const seeds = values.seeds.split(",").map(Number);
const steps = Number(values.steps);
const outDir = values["out-dir"];
const beforeSeed = values["before-seed"] === undefined ? seeds[0]! : Number(values["before-seed"]);
const MEAN = "mean";
const bestOf = Number(values["best-of"]);
const selectSplit = values["select-split"];
if (!Number.isInteger(bestOf) || bestOf < 1 || seeds.length % bestOf !== 0) {
  throw new Error(
    `--best-of ${values["best-of"]}: must be a whole number >= 1 that divides the number of --seeds (${seeds.length})`,
  );
}
if (bestOf > 1 && selectSplit === "test") {
  throw new Error("--select-split test: the held-out test split cannot also choose the seed");
}

/** A task's normalized score (or the mean over tasks, for MEAN) at `step`, or null if not evaluated yet. */
function score(runDir: string, step: number, task: string): number | null {
  return scoreIn(join(runDir, "eval", `step-${step}.json`), task);
}

function scoreIn(file: string, task: string): number | null {
  if (!existsSync(file)) return null;
  const e = JSON.parse(readFileSync(file, "utf8")) as EvalFile;
  if (task === MEAN) return e.meanNormalizedScore;
  return e.tasks.find((t) => t.task === task)?.normalizedScore ?? null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stderr = (xs: number[]) =>
  xs.length < 2
    ? Number.NaN
    : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length);
/** Two-sided 95% Student t quantiles by degrees of freedom (1-10). */
const T95 = [Number.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** Trains one run unless its eval at the last step is already on disk; returns its directory. */
function ensureRun(name: string, runTasks: string[], seed: number, extraSets: string[]): string {
  const runDir = join(outDir, name);
  if (score(runDir, steps, runTasks.length > 1 ? MEAN : runTasks[0]!) !== null) return runDir;
  const args = ["bin/omni-thinker.js", "train", "--config", values.config, "--tasks", runTasks.join(",")];
  args.push("--seed", String(seed), "--steps", String(steps), "--name", name, "--out-dir", outDir);
  if (values.model) args.push("--model", values.model);
  for (const o of [...values.set, ...extraSets]) args.push("--set", o);
  args.push("--no-progress");
  console.log(`[${name}] node ${args.join(" ")}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`[${name}] train exited with ${r.status}`);
  writeFileSync(join(runDir, "wall_seconds.txt"), `${((performance.now() - t0) / 1000).toFixed(1)}\n`);
  return runDir;
}

/** The settings of a finished run that its selection evaluation reuses (from its resolved config.yaml). */
interface ResolvedRun {
  model: string;
  rewards: string;
  data: { dir: string };
  eval: { max_new_tokens: number; batch_size: number };
}

/**
 * The greedy score on --select-split of a run's last checkpoint (or, with `base`, of the model it
 * started from, kept in --out-dir), with the run's data dir, rewards and eval settings. Evaluated
 * once; kept on disk.
 */
function selectionScore(runDir: string, runTasks: string[], base = false): number {
  const configFile = join(runDir, "config.yaml");
  const run = parseYaml(readFileSync(configFile, "utf8"), configFile) as ResolvedRun;
  const task = runTasks.length > 1 ? MEAN : runTasks[0]!;
  const file = base
    ? join(outDir, `base-${runTasks.join("+")}-${selectSplit}.json`)
    : join(runDir, "eval", `${selectSplit}-step-${steps}.json`);
  if (scoreIn(file, task) === null) {
    const model = base ? run.model : join(runDir, "checkpoints", `step-${steps}`);
    const args = ["bin/omni-thinker.js", "eval", "--model", model, "--data", run.data.dir];
    args.push("--split", selectSplit, "--tasks", runTasks.join(","), "--rewards", run.rewards);
    args.push("--max-tokens", String(run.eval.max_new_tokens), "--batch-size", String(run.eval.batch_size));
    args.push("--no-progress", "--out", file);
    console.log(`[${base ? "base" : runDir}] node ${args.join(" ")}`);
    const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0)
      throw new Error(`[${runDir}] eval on --select-split ${selectSplit} exited with ${r.status}`);
  }
  const s = scoreIn(file, task);
  if (s === null) throw new Error(`${file}: no ${task} score`);
  return s;
}

function wallOf(runDir: string): number {
  const wallFile = join(runDir, "wall_seconds.txt");
  return existsSync(wallFile) ? Number(readFileSync(wallFile, "utf8")) : Number.NaN;
}

function required(runDir: string, step: number, task: string): number {
  const s = score(runDir, step, task);
  if (s === null) throw new Error(`${runDir}: no ${task} score in eval/step-${step}.json (not run yet?)`);
  return s;
}

interface Row {
  task: string;
  before: number;
  after: number[];
  wall: number[];
  /** With --best-of: each seed's score on --select-split, and the base's. */
  selection: number[];
  selectionBefore: number;
}
const emptyRow = (task: string): Row => ({
  task,
  before: Number.NaN,
  after: [],
  wall: [],
  selection: [],
  selectionBefore: Number.NaN,
});
const rows: Row[] = [];
if (values.joint) {
  const byTask = [...tasks, MEAN].map(emptyRow);
  for (const seed of seeds) {
    const runDir = ensureRun(
      `joint-s${seed}`,
      tasks,
      seed,
      seed === beforeSeed ? [] : ["eval.at_start=false"],
    );
    const parts = byTask.map((r) => required(runDir, steps, r.task));
    // The joint recipe keeps the seed with the best mean over the tasks.
    const selection = bestOf > 1 ? selectionScore(runDir, tasks) : Number.NaN;
    byTask.forEach((r, i) => {
      r.after.push(parts[i]!);
      r.wall.push(wallOf(runDir));
      r.selection.push(selection);
    });
    console.log(
      `[joint-s${seed}] after: ${byTask.map((r, i) => `${r.task} ${parts[i]!.toFixed(3)}`).join(", ")}`,
    );
  }
  const beforeRun = join(outDir, `joint-s${beforeSeed}`);
  // The base's score: the settings of any run will do (they share model, data and eval settings).
  const firstRun = join(outDir, `joint-s${seeds[0]}`);
  const selectionBefore = bestOf > 1 ? selectionScore(firstRun, tasks, true) : Number.NaN;
  for (const r of byTask) {
    r.before = required(beforeRun, 0, r.task);
    r.selectionBefore = selectionBefore;
  }
  rows.push(...byTask);
} else {
  for (const task of tasks) {
    const row = emptyRow(task);
    for (const seed of seeds) {
      const skipBefore = seed === beforeSeed ? [] : ["eval.at_start=false"];
      const runDir = ensureRun(`${task}-s${seed}`, [task], seed, skipBefore);
      const after = required(runDir, steps, task);
      row.after.push(after);
      row.wall.push(wallOf(runDir));
      if (bestOf > 1) row.selection.push(selectionScore(runDir, [task]));
      console.log(`[${task}-s${seed}] after: ${after.toFixed(3)}`);
    }
    const beforeRun = join(outDir, `${task}-s${beforeSeed}`);
    row.before = required(beforeRun, 0, task);
    if (bestOf > 1) row.selectionBefore = selectionScore(join(outDir, `${task}-s${seeds[0]}`), [task], true);
    rows.push(row);
  }
}

const f = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(3));
const signed = (x: number) => `${x >= 0 ? "+" : ""}${f(x)}`;
const interval = (changes: number[]) => {
  const t = T95[changes.length - 1];
  if (t === undefined || Number.isNaN(t)) return "-";
  const m = mean(changes);
  const half = t * stderr(changes);
  return `${signed(m - half)} to ${signed(m + half)}`;
};
const lines = [
  `| ${values.joint ? "joint run" : "task"} | before | after (seeds ${seeds.join(", ")}) | mean change | stderr | 95% interval (t, ${seeds.length - 1} dof) | wall per run |`,
  "|---|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const changes = r.after.map((a) => a - r.before);
    const name = r.task === MEAN ? `**mean of ${tasks.length} tasks**` : r.task;
    return `| ${name} | ${f(r.before)} | ${r.after.map(f).join(", ")} | ${signed(mean(changes))} | ${f(stderr(changes))} | ${interval(changes)} | ${Math.round(mean(r.wall))} s |`;
  }),
];

/** For each group of --best-of seeds, the index (into `seeds`) of the seed it keeps. */
function keptIndices(r: Row): number[] {
  const kept: number[] = [];
  for (let g = 0; g < seeds.length; g += bestOf) {
    let best = g;
    for (let i = g + 1; i < g + bestOf; i++) if (r.selection[i]! > r.selection[best]!) best = i;
    kept.push(best);
  }
  return kept;
}
const groups = seeds.length / bestOf;
if (bestOf > 1) {
  lines.push(
    "",
    `| ${values.joint ? "joint run" : "task"}, best of ${bestOf} by ${selectSplit} | before (${selectSplit}; held-out) | each group: ${selectSplit} scores -> kept seed (its held-out score) | mean change of the kept | stderr | 95% interval (t, ${groups - 1} dof) |`,
    "|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const kept = keptIndices(r);
      const changes = kept.map((i) => r.after[i]! - r.before);
      const each = kept.map((k, g) => {
        const members = seeds.slice(g * bestOf, (g + 1) * bestOf);
        const scores = r.selection.slice(g * bestOf, (g + 1) * bestOf).map(f);
        return `seeds ${members.join(", ")}: ${scores.join(", ")} -> ${seeds[k]} (${f(r.after[k]!)})`;
      });
      const name = r.task === MEAN ? `**mean of ${tasks.length} tasks**` : r.task;
      return `| ${name} | ${f(r.selectionBefore)}; ${f(r.before)} | ${each.join("; ")} | ${signed(mean(changes))} | ${f(stderr(changes))} | ${interval(changes)} |`;
    }),
  );
}
const table = lines.join("\n");
console.log(table);
writeFileSync(join(outDir, "table.md"), `${table}\n`);
console.log(
  JSON.stringify({
    steps,
    seeds,
    joint: values.joint,
    overrides: values.set,
    ...(bestOf > 1 ? { best_of: bestOf, select_split: selectSplit } : {}),
    rows: rows.map((r) => ({
      task: r.task,
      before: r.before,
      after: r.after,
      wall_s: r.wall,
      ...(bestOf > 1
        ? {
            selection_before: r.selectionBefore,
            selection: r.selection,
            kept_seeds: keptIndices(r).map((i) => seeds[i]),
          }
        : {}),
    })),
  }),
);
