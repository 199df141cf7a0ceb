// Does GRPO learn? Runs `omni-thinker train` for every task x seed (single-task, the default) or once
// per seed over all the tasks together (--joint), each run evaluating the held-out rows before its
// first step and after its last. Prints and writes a table: the score before, after each seed, the
// mean change, its standard error over seeds and a 95% t interval, and the wall time. Runs already
// finished (eval at the last step on disk) are reused.
//
//   node dist/scripts/rl-learning.js [--tasks math,code,qa,writing] [--seeds 0,1,2] [--steps 40]
//                                   [--config configs/single-task.yaml] [--out-dir runs/rl-learning]
//                                   [--model DIR] [--set optim.lr=5e-5 ...]
//                                   [--joint] [--before-seed S]
//
// --joint trains one policy per seed on all --tasks (e.g. --config configs/joint.yaml); the table has
// a row per task and one for their mean. The score before training is greedy, so the same for every
// seed: only the run of --before-seed (default: the first of --seeds) evaluates it; the others skip
// it, and the table reads it from that run (which must exist: run that seed first or alongside).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

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
  },
});
const tasks = values.tasks.split(",");
const seeds = values.seeds.split(",").map(Number);
const steps = Number(values.steps);
const outDir = values["out-dir"];
const beforeSeed = values["before-seed"] === undefined ? seeds[0]! : Number(values["before-seed"]);
const MEAN = "mean";

/** A task's normalized score (or the mean over tasks, for MEAN) at `step`, or null if not evaluated yet. */
function score(runDir: string, step: number, task: string): number | null {
  const file = join(runDir, "eval", `step-${step}.json`);
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
}
const rows: Row[] = [];
if (values.joint) {
  const byTask: Row[] = [...tasks, MEAN].map((task) => ({ task, before: Number.NaN, after: [], wall: [] }));
  for (const seed of seeds) {
    const runDir = ensureRun(
      `joint-s${seed}`,
      tasks,
      seed,
      seed === beforeSeed ? [] : ["eval.at_start=false"],
    );
    const parts = byTask.map((r) => required(runDir, steps, r.task));
    byTask.forEach((r, i) => {
      r.after.push(parts[i]!);
      r.wall.push(wallOf(runDir));
    });
    console.log(
      `[joint-s${seed}] after: ${byTask.map((r, i) => `${r.task} ${parts[i]!.toFixed(3)}`).join(", ")}`,
    );
  }
  const beforeRun = join(outDir, `joint-s${beforeSeed}`);
  for (const r of byTask) r.before = required(beforeRun, 0, r.task);
  rows.push(...byTask);
} else {
  for (const task of tasks) {
    const row: Row = { task, before: Number.NaN, after: [], wall: [] };
    for (const seed of seeds) {
      const skipBefore = seed === beforeSeed ? [] : ["eval.at_start=false"];
      const runDir = ensureRun(`${task}-s${seed}`, [task], seed, skipBefore);
      const after = required(runDir, steps, task);
      row.after.push(after);
      row.wall.push(wallOf(runDir));
      console.log(`[${task}-s${seed}] after: ${after.toFixed(3)}`);
    }
    row.before = required(join(outDir, `${task}-s${beforeSeed}`), 0, task);
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
const table = lines.join("\n");
console.log(table);
writeFileSync(join(outDir, "table.md"), `${table}\n`);
console.log(
  JSON.stringify({
    steps,
    seeds,
    joint: values.joint,
    overrides: values.set,
    rows: rows.map((r) => ({ task: r.task, before: r.before, after: r.after, wall_s: r.wall })),
  }),
);
