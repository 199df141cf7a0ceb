// Measures the backward-transfer matrix B[j -> i] (row j = task trained LATER, column i = task affected)
// on normalized test scores, and writes bwt.json (src/schedule/bwt.ts).
//
//   cheap: train each task i alone from the base (the single-task experts, K runs per seed) and
//          evaluate it on every task. A*[i] = expert i's score on i. Under assumption 1 (transfer does not
//          depend on the starting checkpoint), training j changes task i by what it changes it from the
//          base: B[j -> i] ~ score_i(expert j) - base_i.
//   full:  also train every j after i, starting from expert i's final checkpoint (K(K-1) runs per seed,
//          reusing the experts), and evaluate task i: B[j -> i] = score_i(i then j) - A*[i].
//
// With several seeds, A* and B are means over seeds and B_stderr the standard error of each cell.
// Every run and evaluation is cached by the workspace: a re-run trains and evaluates nothing new.
import { join } from "node:path";
import { type BwtFile, writeBwtFile } from "../schedule/bwt.js";
import { formatDuration } from "../util/progress.js";
import { ensurePrefixRuns } from "./curriculum.js";
import { mean, stderrOfMean } from "./stats.js";
import type { RunRecord, Scores, Workspace } from "./workspace.js";

export interface BwtRunOptions {
  mode?: "cheap" | "full";
  /** Seeds 0..n-1 (default: the config's bwt.seeds, else seeds). */
  seeds?: number;
  /** Where to write bwt.json (default <out_dir>/bwt.json). */
  out?: string;
}

export interface BwtRunResult {
  bwt: BwtFile;
  file: string;
  /** Per seed: A*[i] and B[j][i] as measured with that seed. */
  perSeed: { seed: number; A_star: number[]; B: number[][] }[];
  /** Per seed, per task: the single-task expert runs (the merge arms reuse them). */
  experts: Record<number, Record<string, RunRecord>>;
  base: Scores;
  seconds: number;
}

export function bwtSeeds(ws: Workspace, override?: number): number {
  return override ?? ws.cfg.bwt.seeds ?? ws.cfg.seeds;
}

export async function runBwt(ws: Workspace, opts: BwtRunOptions = {}): Promise<BwtRunResult> {
  const started = performance.now();
  const { tasks } = ws.cfg;
  const k = tasks.length;
  const mode = opts.mode ?? ws.cfg.bwt.mode;
  const nSeeds = bwtSeeds(ws, opts.seeds);
  const base = await ws.evaluateModel(ws.cfg.base_model, join(ws.cfg.out_dir, "base"), tasks, "base");
  const perSeed: BwtRunResult["perSeed"] = [];
  const experts: BwtRunResult["experts"] = {};
  const runsPlanned = nSeeds * (mode === "full" ? k * k : k);
  let runsDone = 0;
  const tick = (what: string) => {
    runsDone++;
    const elapsed = (performance.now() - started) / 1000;
    const eta = (elapsed / runsDone) * (runsPlanned - runsDone);
    ws.log(
      `  bwt ${runsDone}/${runsPlanned} ${what} (elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)})`,
    );
  };
  for (let seed = 0; seed < nSeeds; seed++) {
    experts[seed] = {};
    const single: Scores[] = [];
    for (const task of tasks) {
      const [run] = await ensurePrefixRuns(ws, [task], seed);
      experts[seed]![task] = run!;
      single.push(await ws.evaluateModel(run!.model, run!.dir, tasks, run!.key));
      tick(`${run!.key}${run!.reused ? " (reused)" : ""}`);
    }
    const aStar = tasks.map((t, i) => single[i]![t]!.normalized);
    const B = tasks.map(() => new Array<number>(k).fill(0));
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < k; i++) {
        if (i === j) continue;
        if (mode === "cheap") {
          B[j]![i] = single[j]![tasks[i]!]!.normalized - base[tasks[i]!]!.normalized;
        } else {
          const runs = await ensurePrefixRuns(ws, [tasks[i]!, tasks[j]!], seed);
          const pair = runs[1]!;
          const after = await ws.evaluateModel(pair.model, pair.dir, [tasks[i]!], pair.key);
          B[j]![i] = after[tasks[i]!]!.normalized - aStar[i]!;
          tick(`${pair.key}${pair.reused ? " (reused)" : ""}`);
        }
      }
    }
    perSeed.push({ seed, A_star: aStar, B });
  }
  const cell = (f: (s: (typeof perSeed)[number]) => number) => perSeed.map(f);
  const bwt: BwtFile = {
    tasks: [...tasks],
    A_star: tasks.map((_, i) => mean(cell((s) => s.A_star[i]!))),
    B: tasks.map((_, j) => tasks.map((_, i) => (i === j ? 0 : mean(cell((s) => s.B[j]![i]!))))),
    mode,
    seeds: nSeeds,
    base: tasks.map((t) => base[t]!.normalized),
  };
  if (nSeeds >= 2) {
    bwt.B_stderr = tasks.map((_, j) =>
      tasks.map((_, i) => (i === j ? 0 : stderrOfMean(cell((s) => s.B[j]![i]!)))),
    );
  }
  const file = opts.out ?? join(ws.cfg.out_dir, "bwt.json");
  writeBwtFile(file, bwt);
  return { bwt, file, perSeed, experts, base, seconds: (performance.now() - started) / 1000 };
}

/** The matrix as a fixed-width table (row = task trained later, column = task affected). */
export function formatBwt(bwt: BwtFile): string {
  const w = Math.max(8, ...bwt.tasks.map((t) => t.length + 1));
  const pad = (s: string) => s.padStart(w);
  const lines = [
    `mode ${bwt.mode}, ${bwt.seeds ?? 1} seed(s); B[j -> i]: row = task trained LATER, column = task affected`,
    `${"".padEnd(w)}${bwt.tasks.map(pad).join("")}`,
  ];
  bwt.tasks.forEach((t, j) => {
    const cells = bwt.tasks.map((_, i) => {
      if (i === j) return pad("-");
      const v = bwt.B[j]![i]!;
      const se = bwt.B_stderr?.[j]?.[i];
      return pad(`${v >= 0 ? "+" : ""}${v.toFixed(3)}${se !== undefined ? `±${se.toFixed(2)}` : ""}`);
    });
    lines.push(`${t.padEnd(w)}${cells.join("")}`);
  });
  lines.push(`${"A*".padEnd(w)}${bwt.A_star.map((v) => pad(v.toFixed(3))).join("")}`);
  if (bwt.base) lines.push(`${"base".padEnd(w)}${bwt.base.map((v) => pad(v.toFixed(3))).join("")}`);
  return lines.join("\n");
}
