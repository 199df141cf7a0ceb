// `omni-thinker bwt --config configs/omni4.yaml [--mode cheap|full]`: measures the backward-transfer
// matrix and writes bwt.json. Finished runs and evaluations are reused on a re-run.
import type { Command } from "commander";
import { formatBwt, runBwt } from "../../experiment/bwt-runner.js";
import { type ExperimentCliOptions, experimentConfigFromCli } from "../../experiment/cli-config.js";
import { resolveExperimentPaths } from "../../experiment/config.js";
import { Workspace } from "../../experiment/workspace.js";
import { formatDuration } from "../../util/progress.js";
import { withExperimentOptions } from "../experiment-options.js";

interface BwtCliOptions extends ExperimentCliOptions {
  mode?: "cheap" | "full";
  out?: string;
  json: boolean;
}

export function register(program: Command): void {
  withExperimentOptions(
    program
      .command("bwt")
      .description(
        "measure the backward-transfer matrix B[j -> i] (cheap: K single-task runs; full: + K(K-1) pair runs)",
      ),
  )
    .option("--mode <mode>", "cheap | full (overrides bwt.mode)")
    .option("--out <file>", "bwt.json path (default <out_dir>/bwt.json)")
    .option("--json", "print bwt.json on stdout", false)
    .action(async (o: BwtCliOptions) => {
      if (o.mode !== undefined && o.mode !== "cheap" && o.mode !== "full")
        throw new Error(`--mode must be cheap or full, got ${o.mode}`);
      const cfg = resolveExperimentPaths(experimentConfigFromCli(o));
      const ws = new Workspace(cfg);
      try {
        const r = await runBwt(ws, { ...(o.mode ? { mode: o.mode } : {}), ...(o.out ? { out: o.out } : {}) });
        const c = ws.counters;
        if (o.json) console.log(JSON.stringify(r.bwt, null, 2));
        else {
          console.log(formatBwt(r.bwt));
          console.log(
            `runs: ${c.runsTrained} trained (${c.stepsTrained} steps), ${c.runsReused} reused; ` +
              `task evaluations: ${c.taskEvalsComputed} computed, ${c.taskEvalsReused} reused; ${formatDuration(r.seconds)}`,
          );
          console.log(`wrote ${r.file}  (next: omni-thinker schedule --bwt ${r.file})`);
        }
      } finally {
        await ws.close();
      }
    });
}
