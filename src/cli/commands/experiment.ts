// `omni-thinker experiment --config configs/omni4.yaml [--seeds N] [--preset micro|quick|full]`: the
// side-by-side comparison (base, SFT, joint, merged experts, curricula in the predicted best and worst
// orders, the paper's heuristic order). Writes experiment.json, report.md and report.html; resumable.
import type { Command } from "commander";
import { type ExperimentCliOptions, experimentConfigFromCli } from "../../experiment/cli-config.js";
import { runExperiment } from "../../experiment/experiment-runner.js";
import { withExperimentOptions } from "../experiment-options.js";

interface ExperimentCommandOptions extends ExperimentCliOptions {
  arms?: string;
}

export function register(program: Command): void {
  withExperimentOptions(
    program
      .command("experiment")
      .description("compare SFT, joint RL, merged experts and BWT-guided curricula from one base model"),
  )
    .option("--arms <list>", "comma-separated subset of arms (overrides arms)")
    .action(async (o: ExperimentCommandOptions) => {
      const cfg = experimentConfigFromCli(
        o,
        {},
        o.arms ? { arms: o.arms.split(",").map((s) => s.trim()) } : {},
      );
      const r = await runExperiment(cfg);
      const head = r.comparisons.find((c) => c.b === "joint");
      if (head) {
        console.log(
          `${head.a} vs joint: ${head.diff.delta >= 0 ? "+" : ""}${head.diff.delta.toFixed(4)} ` +
            `(${head.diff.claimed ? "beyond" : "within"} the spread margin ${head.diff.margin.toFixed(4)})`,
        );
      }
      for (const a of r.arms) console.log(`${a.arm.padEnd(24)} ${a.summary.mean.toFixed(4)}`);
      console.log(`report: ${r.files.reportMd}`);
    });
}
