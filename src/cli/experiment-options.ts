// Command-line options shared by `bwt`, `curriculum`, `experiment` and `pipeline`.
import type { Command } from "commander";
import { positiveInt } from "../experiment/cli-config.js";

export function withExperimentOptions(cmd: Command): Command {
  return cmd
    .option("--config <file>", "experiment config YAML", "configs/omni4.yaml")
    .option("--preset <name>", "a preset of the config (micro, quick, pipeline, full, large)")
    .option("--seeds <n>", "seeds of the RL arms (and of the BWT, unless bwt.seeds is set)", positiveInt)
    .option("--out-dir <dir>", "where runs, evaluations and reports go (overrides out_dir)")
    .option("--base-model <dir>", "HF model directory every arm starts from (overrides base_model)")
    .option("--rewards <file>", "rewards YAML (overrides rewards)")
    .option("--data <dir>", "datasets directory (overrides data.dir)")
    .option("--no-progress", "no live progress bar inside training runs");
}
