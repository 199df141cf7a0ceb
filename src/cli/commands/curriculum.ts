// `omni-thinker curriculum --config configs/omni4.yaml --order best|worst|heuristic|a,b,c,d`: curriculum
// RL in one order (one task per stage), evaluating every task after every stage. Named orders are read
// from the BWT prediction (bwt.json).
import { join } from "node:path";
import type { Command } from "commander";
import {
  type ExperimentCliOptions,
  experimentConfigFromCli,
  nonNegativeInt,
} from "../../experiment/cli-config.js";
import { resolveExperimentPaths } from "../../experiment/config.js";
import { runCurriculum } from "../../experiment/curriculum.js";
import { Workspace } from "../../experiment/workspace.js";
import { readBwtFile } from "../../schedule/bwt.js";
import { heuristicOrder, rankOrders } from "../../schedule/order-predictor.js";
import { withExperimentOptions } from "../experiment-options.js";

interface CurriculumCliOptions extends ExperimentCliOptions {
  order: string;
  seed: number;
  bwt?: string;
}

export function register(program: Command): void {
  withExperimentOptions(
    program
      .command("curriculum")
      .description("curriculum RL: one task per stage, in a chosen or predicted order"),
  )
    .requiredOption(
      "--order <order>",
      "best | worst | heuristic (from bwt.json) or task names, comma-separated",
    )
    .option("--seed <n>", "seed", nonNegativeInt, 0)
    .option("--bwt <file>", "bwt.json for named orders (default <out_dir>/bwt.json)")
    .action(async (o: CurriculumCliOptions) => {
      const cfg = resolveExperimentPaths(experimentConfigFromCli(o));
      let order: string[];
      if (["best", "worst", "heuristic"].includes(o.order)) {
        if (o.order === "heuristic") order = heuristicOrder(cfg.tasks, { openEnded: cfg.open_ended });
        else {
          const ranked = rankOrders(readBwtFile(o.bwt ?? join(cfg.out_dir, "bwt.json")));
          order = o.order === "best" ? ranked.best.names : ranked.worst.names;
        }
      } else {
        order = o.order.split(",").map((s) => s.trim());
      }
      const unknown = order.filter((t) => !cfg.tasks.includes(t));
      if (unknown.length || new Set(order).size !== order.length || order.length !== cfg.tasks.length) {
        throw new Error(`--order must name each of ${cfg.tasks.join(", ")} once (got ${order.join(", ")})`);
      }
      const ws = new Workspace(cfg);
      try {
        const r = await runCurriculum(ws, order, o.seed);
        console.log(`curriculum ${order.join(" -> ")} (seed ${o.seed}), ${r.totalSteps} RL steps`);
        console.log(
          `after              ${cfg.tasks.map((t) => t.padStart(16)).join("")}   (score / entropy)`,
        );
        const row = (label: string, s: typeof r.start) =>
          `${label.padEnd(19)}${cfg.tasks
            .map((t) => `${s[t]!.normalized.toFixed(3)} / ${s[t]!.entropy?.toFixed(2) ?? "-"}`.padStart(16))
            .join("")}`;
        console.log(row("base", r.start));
        for (const s of r.stages) console.log(row(`stage ${s.index + 1}: ${s.task}`, s.scores));
        console.log(`mean normalized score ${r.mean.toFixed(4)} ± ${r.stderr.toFixed(4)} (eval SE)`);
        console.log(`metrics with stage markers: ${r.metricsFile}`);
      } finally {
        await ws.close();
      }
    });
}
