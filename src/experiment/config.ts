// The experiment config (configs/omni4.yaml): one file drives `bwt`, `curriculum`, `experiment` and
// `pipeline`. Presets are named partial overrides inside the same file (`presets.micro`, ...), merged
// over the top-level keys before validation (objects merge key by key, anything else is replaced).
// Relative paths resolve against the working directory, as in the train config.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigError, parseConfig, parseYaml } from "../config/load.js";
import { MERGE_METHODS } from "../merge/config.js";

const posInt = () => z.number().int().positive();

/** Arms with a fixed name; merged arms are `merge_<name>` for each entry of `merges`. */
export const FIXED_ARMS = [
  "base",
  "sft",
  "joint",
  "curriculum_best",
  "curriculum_worst",
  "curriculum_heuristic",
] as const;

export const MergeArmSchema = z.strictObject({
  merge_method: z.enum(MERGE_METHODS),
  /** mergekit's method-wide `parameters` (weight, density, lambda, normalize, ...) for every expert. */
  parameters: z.record(z.string(), z.union([z.number(), z.boolean()])).default({}),
});

export const ExperimentConfigSchema = z
  .strictObject({
    name: z.string().min(1).default("omni4"),
    /** Everything the experiment writes: runs, evaluations, bwt.json, experiment.json, reports. */
    out_dir: z.string().default("runs/omni4"),
    /** The preset that was applied (informational; set by the loader). */
    preset: z.string().nullable().default(null),
    /** HF model directory every arm starts from. */
    base_model: z.string().default("models/omni-tiny"),
    rewards: z.string().default("configs/rewards.yaml"),
    data: z
      .strictObject({
        dir: z.string().default("datasets"),
        /** First N training rows per task for RL and SFT (null = all). */
        max_rows: posInt().nullable().default(null),
      })
      .prefault({}),
    tasks: z.array(z.string().min(1)).min(2).default(["math", "code", "qa", "writing"]),
    /** Tasks the paper's heuristic trains last (structured first, open-ended last). */
    open_ended: z.array(z.string()).default(["writing"]),
    /** Replicates of the RL arms (joint, merges, curricula); seeds 0..N-1. */
    seeds: posInt().default(1),
    /**
     * The RL budget. Every single-task run and every curriculum stage trains `steps_per_task` steps (or,
     * with stage: pass, one pass over its task's rows); joint RL trains the sum over tasks, so joint,
     * the merged experts and every curriculum spend the same number of RL steps.
     */
    budget: z
      .strictObject({
        steps_per_task: posInt().default(8),
        stage: z.enum(["steps", "pass"]).default("steps"),
      })
      .prefault({}),
    /** The train config's `rl` and `optim` blocks (validated there; docs/rl.md). */
    rl: z.record(z.string(), z.unknown()).default({}),
    optim: z.record(z.string(), z.unknown()).default({}),
    /** Checkpoint every N steps inside a run (0 = only at its end); a killed run resumes from it. */
    save_every: z.number().int().nonnegative().default(0),
    eval: z
      .strictObject({
        split: z.string().default("test"),
        /** First N held-out rows per task. */
        limit: posInt().default(32),
        /** null = rl.max_new_tokens (or the trainer's default). */
        max_new_tokens: posInt().nullable().default(null),
        batch_size: posInt().default(32),
      })
      .prefault({}),
    bwt: z
      .strictObject({
        mode: z.enum(["cheap", "full"]).default("cheap"),
        /** Seeds averaged into B (null = `seeds`); with >= 2, bwt.json carries B_stderr. */
        seeds: posInt().nullable().default(null),
      })
      .prefault({}),
    sft: z
      .strictObject({
        steps: posInt().default(100),
        lr: z.number().positive().default(3e-4),
        warmup_steps: z.number().int().nonnegative().default(10),
        batch: posInt().default(8),
        seq: posInt().default(256),
        weight_decay: z.number().nonnegative().default(0),
        grad_clip: z.number().positive().default(1),
      })
      .prefault({}),
    merges: z.record(z.string().regex(/^[A-Za-z0-9_]+$/), MergeArmSchema).default({
      ties: { merge_method: "ties", parameters: { density: 0.5, weight: 1 } },
      task_arithmetic: { merge_method: "task_arithmetic", parameters: { weight: 1 } },
    }),
    arms: z
      .array(z.string())
      .min(1)
      .default([
        "base",
        "sft",
        "joint",
        "merge_ties",
        "merge_task_arithmetic",
        "curriculum_best",
        "curriculum_worst",
        "curriculum_heuristic",
      ]),
    prediction: z
      .strictObject({
        /** Also train the predicted-median order, to test the prediction on more than two orders. */
        median_order: z.boolean().default(false),
        /** Extra random orders (seeded) trained only to score the prediction. */
        random_orders: z.number().int().nonnegative().default(0),
      })
      .prefault({}),
    /** Draw the trainer's live progress bar (the runner's own progress lines are always printed). */
    progress: z.boolean().default(true),
    presets: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const seen = new Set<string>();
    c.tasks.forEach((t, i) => {
      if (seen.has(t)) issue(["tasks", i], `duplicate task "${t}"`);
      seen.add(t);
    });
    c.arms.forEach((a, i) => {
      const merge = a.startsWith("merge_") ? a.slice("merge_".length) : null;
      if (merge !== null) {
        if (!c.merges[merge])
          issue(["arms", i], `"${a}" names no entry of merges (${Object.keys(c.merges).join(", ")})`);
      } else if (!(FIXED_ARMS as readonly string[]).includes(a)) {
        issue(["arms", i], `unknown arm "${a}" (expected ${FIXED_ARMS.join(", ")} or merge_<name>)`);
      }
    });
    if (new Set(c.arms).size !== c.arms.length) issue(["arms"], "an arm is listed twice");
  });

export type ExperimentConfig = z.output<typeof ExperimentConfigSchema>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Objects merge key by key (recursively); arrays and scalars in `over` replace those in `base`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

export interface LoadOptions {
  /** A preset name from the file's `presets` (default: the file's `preset` key, if any). */
  preset?: string;
  /** Applied last, over the preset (CLI flags, tests). */
  overrides?: Record<string, unknown>;
}

/** Validates a parsed experiment config, applying a preset and overrides first. */
export function parseExperimentConfig(
  value: unknown,
  file: string,
  opts: LoadOptions = {},
): ExperimentConfig {
  let raw: unknown = value ?? {};
  if (!isPlainObject(raw)) throw new ConfigError(file, ["(root): expected a mapping"]);
  const presets = isPlainObject(raw.presets) ? raw.presets : {};
  const name = opts.preset ?? (typeof raw.preset === "string" ? raw.preset : undefined);
  if (name !== undefined) {
    const preset = presets[name];
    if (!isPlainObject(preset)) {
      throw new ConfigError(file, [
        `preset: no preset "${name}" (this file has: ${Object.keys(presets).join(", ") || "none"})`,
      ]);
    }
    raw = deepMerge(raw, { ...preset, preset: name });
  }
  if (opts.overrides) raw = deepMerge(raw, opts.overrides);
  return parseConfig(ExperimentConfigSchema, raw, file);
}

export function loadExperimentConfig(file: string, opts: LoadOptions = {}): ExperimentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseExperimentConfig(parseYaml(text, file), file, opts);
}

/** The config with its paths made absolute (against the working directory). */
export function resolveExperimentPaths(cfg: ExperimentConfig): ExperimentConfig {
  return {
    ...cfg,
    out_dir: resolve(cfg.out_dir),
    base_model: resolve(cfg.base_model),
    rewards: resolve(cfg.rewards),
    data: { ...cfg.data, dir: resolve(cfg.data.dir) },
  };
}

/** Names of the merged arms (merge_<name>) the config asks for, with their merge settings. */
export function mergeArms(
  cfg: ExperimentConfig,
): { arm: string; name: string; spec: z.output<typeof MergeArmSchema> }[] {
  return cfg.arms
    .filter((a) => a.startsWith("merge_"))
    .map((arm) => {
      const name = arm.slice("merge_".length);
      return { arm, name, spec: cfg.merges[name]! };
    });
}
