// `omni-thinker schedule --bwt bwt.json`: ranks curriculum stage orders by the backward-transfer
// prediction and compares the best with the median, the worst and the paper's heuristic order.
import type { Command } from "commander";
import { type BwtFile, readBwtFile } from "../../schedule/bwt.js";
import {
  heuristicOrder,
  type OrderPrediction,
  predictOrder,
  rankOrders,
} from "../../schedule/order-predictor.js";

/** An order's prediction keyed by task name: the shape of `--json` output (the curriculum reads `best.order`). */
export interface OrderReport {
  order: string[];
  perTask: Record<string, number>;
  mean: number;
  meanStderr?: number;
}

export interface ScheduleReport {
  tasks: string[];
  mode: BwtFile["mode"];
  A_star: number[];
  B: number[][];
  /** True when all K! orders were enumerated (best and worst exact). */
  exhaustive: boolean;
  /** Orders the median was taken over (all of them, or a random sample). */
  medianOver: number;
  best: OrderReport;
  median: OrderReport;
  worst: OrderReport;
  heuristic: OrderReport;
  openEnded: string[];
  gaps: { bestMinusWorst: number; bestMinusHeuristic: number };
}

function toReport(bwt: BwtFile, p: OrderPrediction): OrderReport {
  const report: OrderReport = {
    order: p.names,
    perTask: Object.fromEntries(bwt.tasks.map((t, i) => [t, p.perTask[i]!])),
    mean: p.mean,
  };
  if (p.meanStderr !== undefined) report.meanStderr = p.meanStderr;
  return report;
}

export function buildScheduleReport(
  bwt: BwtFile,
  opts: { openEnded: string[]; seed?: number; restarts?: number },
): ScheduleReport {
  const ranked = rankOrders(bwt, { seed: opts.seed, restarts: opts.restarts });
  const heuristic = predictOrder(bwt, heuristicOrder(bwt.tasks, { openEnded: opts.openEnded }));
  return {
    tasks: bwt.tasks,
    mode: bwt.mode,
    A_star: bwt.A_star,
    B: bwt.B,
    exhaustive: ranked.exhaustive,
    medianOver: ranked.medianOver,
    best: toReport(bwt, ranked.best),
    median: toReport(bwt, ranked.median),
    worst: toReport(bwt, ranked.worst),
    heuristic: toReport(bwt, heuristic),
    openEnded: opts.openEnded.filter((t) => bwt.tasks.includes(t)),
    gaps: {
      bestMinusWorst: ranked.best.mean - ranked.worst.mean,
      bestMinusHeuristic: ranked.best.mean - heuristic.mean,
    },
  };
}

const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;

/** The human-readable form of the report. */
export function formatScheduleReport(r: ScheduleReport): string {
  const width = Math.max(10, ...r.tasks.map((t) => t.length + 2));
  const cell = (s: string) => s.padStart(width);
  const label = (s: string) => s.padEnd(Math.max(width + 4, 18));
  const lines: string[] = [];
  lines.push(
    `Backward transfer B[row -> column] (mode: ${r.mode}): row = task trained LATER, column = task affected`,
  );
  lines.push(label("") + r.tasks.map(cell).join(""));
  r.tasks.forEach((later, j) => {
    const row = r.tasks.map((_, i) => cell(i === j ? "." : signed(r.B[j]![i]!)));
    lines.push(label(`  ${later}`) + row.join(""));
  });
  lines.push(label("A* (single-task)") + r.A_star.map((a) => cell(a.toFixed(4))).join(""));
  lines.push("");
  const how = r.exhaustive
    ? `all ${r.medianOver} orders enumerated`
    : `best/worst by local search, median of ${r.medianOver} random orders`;
  lines.push(`Predicted final scores by stage order (${how}):`);
  lines.push(label("") + r.tasks.map(cell).join("") + cell("mean"));
  const orderLine = (name: string, o: OrderReport) => {
    const stderr = o.meanStderr !== undefined ? ` (± ${o.meanStderr.toFixed(4)})` : "";
    lines.push(`${name}: ${o.order.join(" -> ")}`);
    lines.push(
      label("") +
        r.tasks.map((t) => cell(o.perTask[t]!.toFixed(4))).join("") +
        cell(o.mean.toFixed(4)) +
        stderr,
    );
  };
  orderLine("best", r.best);
  orderLine("median", r.median);
  orderLine("worst", r.worst);
  const open = r.openEnded.length > 0 ? r.openEnded.join(", ") : "none of the tasks";
  orderLine(`heuristic (structured first, open-ended last: ${open})`, r.heuristic);
  lines.push("");
  lines.push(
    `Predicted gaps: best - worst = ${signed(r.gaps.bestMinusWorst)}, best - heuristic = ${signed(r.gaps.bestMinusHeuristic)}`,
  );
  return lines.join("\n");
}

function parseIntOption(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name}: expected a non-negative integer, got "${value}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command("schedule")
    .description("rank curriculum stage orders by the backward-transfer prediction (bwt.json)")
    .requiredOption("--bwt <file>", "backward-transfer matrix file (bwt.json)")
    .option("--json", "print a machine-readable object instead of tables")
    .option(
      "--open-ended <tasks>",
      "comma-separated open-ended tasks, trained last by the heuristic order",
      "writing",
    )
    .option("--seed <n>", "seed of the local search (used when there are more than 8 tasks)", "0")
    .option("--restarts <n>", "local-search restarts (more than 8 tasks)", "20")
    .action((opts: { bwt: string; json?: boolean; openEnded: string; seed: string; restarts: string }) => {
      const bwt = readBwtFile(opts.bwt);
      const openEnded = opts.openEnded
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0);
      const report = buildScheduleReport(bwt, {
        openEnded,
        seed: parseIntOption(opts.seed, "--seed"),
        restarts: parseIntOption(opts.restarts, "--restarts"),
      });
      if (opts.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      const unknown = openEnded.filter((t) => !bwt.tasks.includes(t));
      if (unknown.length > 0)
        console.error(`note: --open-ended names tasks not in ${opts.bwt}: ${unknown.join(", ")}`);
      console.log(formatScheduleReport(report));
    });
}
