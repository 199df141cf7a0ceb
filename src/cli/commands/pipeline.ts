// `omni-thinker pipeline --config configs/omni4.yaml`: the BWT-guided curriculum pipeline on the
// embedded default: cheap BWT -> predicted best order -> curriculum -> evaluation against joint RL ->
// report (preset `pipeline` unless another is given).
import type { Command } from "commander";
import { type ExperimentCliOptions, experimentConfigFromCli } from "../../experiment/cli-config.js";
import { runPipeline } from "../../experiment/pipeline.js";
import { withExperimentOptions } from "../experiment-options.js";

export function register(program: Command): void {
  withExperimentOptions(
    program
      .command("pipeline")
      .description("cheap BWT -> predicted best order -> curriculum RL -> evaluation vs joint RL -> report"),
  ).action(async (o: ExperimentCliOptions) => {
    const r = await runPipeline(experimentConfigFromCli(o, { preset: "pipeline" }));
    const best = r.orders.find((x) => x.role === "best");
    if (best)
      console.log(
        `predicted best order: ${best.order.join(" -> ")} (predicted mean ${best.predicted.mean.toFixed(4)})`,
      );
    for (const a of r.arms) console.log(`${a.arm.padEnd(18)} ${a.summary.mean.toFixed(4)}`);
    const head = r.comparisons.find((c) => c.b === "joint");
    if (head) {
      console.log(
        `curriculum vs joint: ${head.diff.delta >= 0 ? "+" : ""}${head.diff.delta.toFixed(4)} ` +
          `(${head.diff.claimed ? "beyond" : "within"} the spread margin ${head.diff.margin.toFixed(4)})`,
      );
    }
    console.log(`report: ${r.files.reportMd}`);
  });
}
