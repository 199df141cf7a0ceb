// The BWT-guided curriculum pipeline (the candidate for `npm start`): cheap BWT -> predicted best order
// -> curriculum in that order -> evaluation against joint RL and the base model -> report. It is the
// experiment runner restricted to those arms, so its runs, evaluations and reports are the same files.
import type { ExperimentConfig } from "./config.js";
import { type ExperimentOptions, type ExperimentResult, runExperiment } from "./experiment-runner.js";

export const PIPELINE_ARMS = ["base", "joint", "curriculum_best"];

export function pipelineConfig(cfg: ExperimentConfig): ExperimentConfig {
  return {
    ...cfg,
    arms: PIPELINE_ARMS,
    bwt: { ...cfg.bwt, mode: "cheap" },
    prediction: { median_order: false, random_orders: 0 },
  };
}

export function runPipeline(cfg: ExperimentConfig, opts: ExperimentOptions = {}): Promise<ExperimentResult> {
  return runExperiment(pipelineConfig(cfg), opts);
}
