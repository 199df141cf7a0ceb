// The train config (YAML), validated with zod at the edge. Every key has a default; unknown keys are
// rejected with the file and the field path. docs/rl.md describes each key.
import { z } from "zod";
import { ConfigError, loadConfigFile, parseConfig } from "../config/load.js";
import { ADVANTAGE_KINDS } from "./advantages.js";
import { LOSS_AGGREGATIONS } from "./aggregation.js";
import { KL_ESTIMATORS } from "./kl.js";
import { OVERLONG_MODES } from "./overlong.js";

const posInt = () => z.number().int().positive();
const nonNegInt = () => z.number().int().nonnegative();

const StageSchema = z.union([
  z.strictObject({ task: z.string().min(1), steps: posInt() }),
  z.strictObject({ task: z.string().min(1), pass: z.literal(true) }),
]);

export const ScheduleSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("joint"),
    /** uniform | proportional (to dataset size) | {task: weight} */
    weights: z
      .union([z.enum(["uniform", "proportional"]), z.record(z.string(), z.number().nonnegative())])
      .default("uniform"),
  }),
  z.strictObject({
    type: z.literal("sequential"),
    stages: z.array(StageSchema).min(1),
  }),
]);

export const RlSchema = z.strictObject({
  // sampling
  group_size: posInt().default(8),
  prompts_per_step: posInt().default(16),
  max_new_tokens: posInt().default(128),
  temperature: z.number().positive().default(1),
  top_p: z.number().gt(0).lte(1).default(1),
  top_k: nonNegInt().default(0),
  /** Extra stop strings (the tokenizer's EOS always stops). */
  stop: z.array(z.string().min(1)).default([]),
  /**
   * One of each group's responses is the greedy decode (an anchor): a row the policy solves greedily
   * but rarely when sampling then still yields a group with a positive advantage.
   */
  greedy_in_group: z.boolean().default(false),
  /** Prompts longer than this many tokens are cut from the left. */
  max_prompt_tokens: posInt().default(512),
  // advantage
  advantage: z.enum(ADVANTAGE_KINDS).default("grpo"),
  adv_eps: z.number().positive().default(1e-6),
  // clipping
  clip_low: z.number().nonnegative().default(0.2),
  clip_high: z.number().nonnegative().default(0.28),
  // KL to the frozen reference (0 = off: no reference model is loaded and no reference pass runs)
  kl_coef: z.number().nonnegative().default(0),
  kl_estimator: z.enum(KL_ESTIMATORS).default("k3"),
  entropy_coef: z.number().default(0),
  // loss aggregation
  loss_agg: z.enum(LOSS_AGGREGATIONS).default("token-mean"),
  /** Divisor of seq-mean-token-sum-norm; null = max_new_tokens. */
  loss_norm_tokens: posInt().nullable().default(null),
  // updates
  ppo_epochs: posInt().default(1),
  /** Sequences per optimizer step; null = the whole step's batch (one optimizer step per epoch). */
  mini_batch_size: posInt().nullable().default(null),
  /** Sequences per forward/backward pass (gradients accumulate over a mini-batch's micro-batches). */
  micro_batch_size: posInt().default(16),
  /** Recompute the behaviour log-probs with a forward pass instead of using the sampler's. */
  recompute_old_logprobs: z.boolean().default(false),
  // dynamic sampling (DAPO): drop groups whose raw metric is constant, refill up to max_gen_batches
  dynamic_sampling: z.boolean().default(false),
  max_gen_batches: posInt().default(3),
  // overlong responses
  overlong: z
    .strictObject({
      mode: z.enum(OVERLONG_MODES).default("none"),
      /** penalize: tokens before max_new_tokens where the penalty starts. */
      buffer: nonNegInt().default(16),
      penalty: z.number().nonnegative().default(1),
    })
    .prefault({}),
  /** Optional format reward added to every task's shaped reward (the raw metric is untouched). */
  format_reward: z
    .strictObject({
      pattern: z.string().min(1),
      weight: z.number().default(0.1),
      /** Tasks it applies to (default: all). */
      tasks: z.array(z.string()).optional(),
    })
    .nullable()
    .default(null),
});

export const OptimSchema = z.strictObject({
  lr: z.number().positive().default(1e-5),
  warmup_steps: nonNegInt().default(0),
  /** The cosine decays to lr * min_lr_ratio at the last step. */
  min_lr_ratio: z.number().min(0).max(1).default(0.1),
  weight_decay: z.number().nonnegative().default(0.0),
  grad_clip: z.number().positive().default(1.0),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
});

/** An inclusive extra_info.difficulty range; either end may be null (open). */
const DifficultyRangeSchema = z.strictObject({
  min: z.number().nullable().default(null),
  max: z.number().nullable().default(null),
});
export type DifficultyRange = z.output<typeof DifficultyRangeSchema>;

/** The difficulty range data.difficulty sets for `task`, or null (no filter). */
export function difficultyRangeFor(cfg: TrainConfig, task: string): DifficultyRange | null {
  const d = cfg.data.difficulty;
  if (d === null) return null;
  if (isDifficultyRange(d)) return d;
  return d[task] ?? null;
}

/** A range's values are numbers or null; a per-task mapping's are ranges. */
function isDifficultyRange(value: object): value is DifficultyRange {
  return Object.values(value).every((v) => v === null || typeof v === "number");
}

export const EvalSchema = z.strictObject({
  /** Evaluate every N steps (0 = only at_start / at_end). */
  every: nonNegInt().default(0),
  at_start: z.boolean().default(false),
  at_end: z.boolean().default(false),
  split: z.string().default("test"),
  /** First N held-out rows per task. */
  limit: posInt().default(32),
  /** null = rl.max_new_tokens. */
  max_new_tokens: posInt().nullable().default(null),
  temperature: z.number().nonnegative().default(0),
  batch_size: posInt().default(32),
});

export const TrainConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only")
    .default("run"),
  /** Directory that holds runs/<name>. */
  out_dir: z.string().default("runs"),
  /** Hugging Face model directory of the initial policy (also the frozen reference). */
  model: z.string().default("models/omni-tiny"),
  /** Rewards YAML (routes data_source -> reward). */
  rewards: z.string().default("configs/rewards.yaml"),
  data: z
    .strictObject({
      dir: z.string().default("datasets"),
      split: z.string().default("train"),
      /**
       * Keep only rows whose extra_info.difficulty lies in [min, max] (before max_rows): online-RL
       * practice drops prompts the policy never solves, whose groups carry no advantage. A range
       * applies to every task; a mapping ({math: {max: 2}}) to the tasks it names. null = all.
       */
      difficulty: z
        .union([DifficultyRangeSchema, z.record(z.string(), DifficultyRangeSchema)])
        .nullable()
        .default(null),
      /**
       * At most N rows of each row kind (extra_info.family, qtype or wtype), in file order, after the
       * difficulty filter: evens out a task whose kinds are lopsided (code's train split is 88% six
       * families the base already solves). A number applies to every task; a mapping
       * ({code: 40}) to the tasks it names. null = all.
       */
      max_rows_per_kind: z
        .union([posInt(), z.record(z.string(), posInt())])
        .nullable()
        .default(null),
      /** First N rows per task (null = all). */
      max_rows: posInt().nullable().default(null),
    })
    .prefault({}),
  tasks: z.array(z.string().min(1)).min(1).default(["math", "code", "qa", "writing"]),
  schedule: ScheduleSchema.default({ type: "joint", weights: "uniform" }),
  /** RL steps; null = what a sequential schedule plans. */
  steps: posInt().nullable().default(100),
  seed: z.number().int().default(0),
  rl: RlSchema.prefault({}),
  optim: OptimSchema.prefault({}),
  eval: EvalSchema.prefault({}),
  /** Checkpoint every N steps (0 = only at the end). */
  save_every: nonNegInt().default(50),
  /** Keep the newest K checkpoints. */
  keep_checkpoints: posInt().default(3),
  /** Rollouts written to samples.jsonl per step. */
  log_samples: nonNegInt().default(4),
  /** Draw the live progress bar. */
  progress: z.boolean().default(true),
});

export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** Cross-field checks zod's shape cannot express; throws a ConfigError naming the field. */
function checkConsistency(cfg: TrainConfig, file: string): TrainConfig {
  const issues: string[] = [];
  if (cfg.schedule.type === "sequential") {
    cfg.schedule.stages.forEach((s, i) => {
      if (!cfg.tasks.includes(s.task))
        issues.push(`schedule.stages[${i}].task: "${s.task}" is not in tasks (${cfg.tasks.join(", ")})`);
    });
  } else if (typeof cfg.schedule.weights === "object") {
    for (const t of Object.keys(cfg.schedule.weights))
      if (!cfg.tasks.includes(t))
        issues.push(`schedule.weights.${t}: not in tasks (${cfg.tasks.join(", ")})`);
  }
  const { max_rows_per_kind: perKind, difficulty } = cfg.data;
  const perTask = {
    max_rows_per_kind: typeof perKind === "object" ? perKind : null,
    difficulty: difficulty !== null && !isDifficultyRange(difficulty) ? difficulty : null,
  };
  for (const [key, mapping] of Object.entries(perTask)) {
    for (const t of Object.keys(mapping ?? {}))
      if (!cfg.tasks.includes(t)) issues.push(`data.${key}.${t}: not in tasks (${cfg.tasks.join(", ")})`);
  }
  if (cfg.steps === null && cfg.schedule.type !== "sequential")
    issues.push("steps: null (planned by the schedule) needs schedule.type: sequential");
  if (cfg.rl.greedy_in_group && cfg.rl.group_size < 2)
    issues.push(
      "rl.greedy_in_group: needs rl.group_size >= 2 (a group of one greedy response has no spread)",
    );
  if (cfg.rl.format_reward) {
    try {
      new RegExp(cfg.rl.format_reward.pattern, "s");
    } catch (err) {
      issues.push(`rl.format_reward.pattern: ${(err as Error).message}`);
    }
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  return cfg;
}

export function parseTrainConfig(value: unknown, file: string): TrainConfig {
  return checkConsistency(parseConfig(TrainConfigSchema, value ?? {}, file), file);
}

/** `overrides` are command-line `key.path=value` settings applied before validation (config/load.ts). */
export function loadTrainConfig(file: string, overrides: readonly string[] = []): TrainConfig {
  return checkConsistency(loadConfigFile(TrainConfigSchema, file, overrides), file);
}
