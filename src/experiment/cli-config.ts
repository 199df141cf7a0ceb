// The options shared by `bwt`, `curriculum`, `experiment` and `pipeline`: which config, which preset,
// and the few keys worth overriding from the command line.
import { type ExperimentConfig, loadExperimentConfig } from "./config.js";

export interface ExperimentCliOptions {
  config: string;
  preset?: string;
  seeds?: number;
  outDir?: string;
  baseModel?: string;
  rewards?: string;
  data?: string;
  progress: boolean;
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive integer: ${v}`);
  return n;
}

export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${v}`);
  return n;
}

export function experimentConfigFromCli(
  o: ExperimentCliOptions,
  defaults: { preset?: string } = {},
  extra: Record<string, unknown> = {},
): ExperimentConfig {
  const overrides: Record<string, unknown> = { ...extra };
  if (o.seeds !== undefined) overrides.seeds = o.seeds;
  if (o.outDir !== undefined) overrides.out_dir = o.outDir;
  if (o.baseModel !== undefined) overrides.base_model = o.baseModel;
  if (o.rewards !== undefined) overrides.rewards = o.rewards;
  if (o.data !== undefined) overrides.data = { dir: o.data };
  if (!o.progress) overrides.progress = false;
  const preset = o.preset ?? defaults.preset;
  return loadExperimentConfig(o.config, { ...(preset ? { preset } : {}), overrides });
}
