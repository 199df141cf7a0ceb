// Does single-task GRPO learn? Runs `omni-thinker train --config configs/single-task.yaml` for every
// task x seed (each run evaluates the held-out rows before its first step and after its last), then
// prints and writes a table: the score before, after each seed, the mean change and its standard error
// over seeds, and the wall time. Runs already finished (eval at the last step on disk) are reused.
//
//   node dist/scripts/rl-learning.js [--tasks math,code,qa,writing] [--seeds 0,1,2] [--steps 40]
//                                   [--config configs/single-task.yaml] [--out-dir runs/rl-learning]
//                                   [--model DIR] [--set optim.lr=5e-5 ...]
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

interface EvalFile {
  tasks: { task: string; normalizedScore: number }[];
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
  },
});
const tasks = values.tasks.split(",");
const seeds = values.seeds.split(",").map(Number);
const steps = Number(values.steps);
const outDir = values["out-dir"];

function score(runDir: string, step: number, task: string): number | null {
  const file = join(runDir, "eval", `step-${step}.json`);
  if (!existsSync(file)) return null;
  const e = JSON.parse(readFileSync(file, "utf8")) as EvalFile;
  return e.tasks.find((t) => t.task === task)?.normalizedScore ?? null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stderr = (xs: number[]) =>
  xs.length < 2
    ? Number.NaN
    : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length);

const rows: { task: string; before: number; after: number[]; wall: number[] }[] = [];
for (const task of tasks) {
  const row = { task, before: Number.NaN, after: [] as number[], wall: [] as number[] };
  for (const seed of seeds) {
    const name = `${task}-s${seed}`;
    const runDir = join(outDir, name);
    if (score(runDir, steps, task) === null) {
      const args = ["bin/omni-thinker.js", "train", "--config", values.config, "--tasks", task];
      args.push("--seed", String(seed), "--steps", String(steps), "--name", name, "--out-dir", outDir);
      if (values.model) args.push("--model", values.model);
      for (const o of values.set) args.push("--set", o);
      args.push("--no-progress");
      console.log(`[${name}] node ${args.join(" ")}`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
      if (r.status !== 0) throw new Error(`[${name}] train exited with ${r.status}`);
      writeFileSync(join(runDir, "wall_seconds.txt"), `${((performance.now() - t0) / 1000).toFixed(1)}\n`);
    }
    const before = score(runDir, 0, task);
    const after = score(runDir, steps, task);
    if (before === null || after === null) throw new Error(`${runDir}: no eval at step 0 or ${steps}`);
    row.before = before;
    row.after.push(after);
    const wallFile = join(runDir, "wall_seconds.txt");
    row.wall.push(existsSync(wallFile) ? Number(readFileSync(wallFile, "utf8")) : Number.NaN);
    console.log(`[${name}] ${before.toFixed(3)} -> ${after.toFixed(3)}`);
  }
  rows.push(row);
}

const f = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(3));
const lines = [
  `| task | before | after (seeds ${seeds.join(", ")}) | mean change | stderr | wall per run |`,
  "|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const changes = r.after.map((a) => a - r.before);
    const sign = mean(changes) >= 0 ? "+" : "";
    return `| ${r.task} | ${f(r.before)} | ${r.after.map(f).join(", ")} | ${sign}${f(mean(changes))} | ${f(stderr(changes))} | ${Math.round(mean(r.wall))} s |`;
  }),
];
const table = lines.join("\n");
console.log(table);
writeFileSync(join(outDir, "table.md"), `${table}\n`);
console.log(
  JSON.stringify({
    steps,
    seeds,
    overrides: values.set,
    rows: rows.map((r) => ({ task: r.task, before: r.before, after: r.after, wall_s: r.wall })),
  }),
);
