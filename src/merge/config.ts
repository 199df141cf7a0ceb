// The merge config: mergekit's YAML shape, validated with zod and resolved into a MergePlan.
//
//   merge_method: ties            # linear | task_arithmetic | ties | dare_linear | dare_ties | slerp
//   base_model: runs/base/model   # HF model dir, relative to this file's directory or absolute
//   models:
//     - model: runs/experts/math/model
//       parameters: { weight: 1.0, density: 0.5 }
//   parameters: { normalize: true, lambda: 1.0 }   # method-wide values and per-model defaults
//   dtype: float32                # float32 | bfloat16 (weights on disk)
//   seed: 0                       # DARE's drop masks
//
// Not supported (rejected with a message rather than ignored): mergekit's `slices`, per-layer
// parameter gradients (lists) and tensor-name filters.
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { loadConfigFile, parseConfig } from "../config/load.js";

export const MERGE_METHODS = [
  "linear",
  "task_arithmetic",
  "ties",
  "dare_linear",
  "dare_ties",
  "slerp",
] as const;
export type MergeMethod = (typeof MERGE_METHODS)[number];

/** Methods that mix task vectors (model - base) and so need a base model. */
const TASK_VECTOR_METHODS: readonly MergeMethod[] = ["task_arithmetic", "ties", "dare_linear", "dare_ties"];

/** mergekit's per-method default for `normalize`. */
const DEFAULT_NORMALIZE: Record<MergeMethod, boolean> = {
  linear: true,
  task_arithmetic: false,
  ties: true,
  dare_linear: false,
  dare_ties: false,
  slerp: false,
};

const scalar = (what: string) =>
  z.number({
    error: (issue) =>
      Array.isArray(issue.input)
        ? `${what}: per-layer gradients (lists) are not supported; give one number`
        : `${what}: expected a number`,
  });

const density = scalar("density").gt(0).lte(1);

const ModelParameters = z.strictObject({
  weight: scalar("weight").optional(),
  density: density.optional(),
});

const GlobalParameters = z.strictObject({
  /** Default weight of every model (default 1). */
  weight: scalar("weight").optional(),
  /** Default density of every model (default 1: keep everything). */
  density: density.optional(),
  normalize: z.boolean().optional(),
  /** Scale of the mixed task vector (task-vector methods; default 1). */
  lambda: scalar("lambda").optional(),
  /** slerp's interpolation factor: 0 = base model, 1 = the other model. */
  t: scalar("t").min(0).max(1).optional(),
  /** DARE: rescale kept entries by 1/density (default true). */
  rescale: z.boolean().optional(),
  /** Accepted for mergekit compatibility; it only saves memory there and changes nothing here. */
  int8_mask: z.boolean().optional(),
});

export const MergeConfigSchema = z
  .strictObject({
    merge_method: z.enum(MERGE_METHODS),
    base_model: z.string().min(1).optional(),
    models: z
      .array(z.strictObject({ model: z.string().min(1), parameters: ModelParameters.optional() }))
      .min(1),
    parameters: GlobalParameters.optional(),
    dtype: z.enum(["float32", "bfloat16"]).default("float32"),
    seed: z.number().int().nonnegative().default(0),
    /** Present only to reject it with a clear message. */
    slices: z.unknown().optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if (c.slices !== undefined)
      issue(["slices"], "slices are not supported: list whole models under `models`");
    const needsBase = c.merge_method === "slerp" || TASK_VECTOR_METHODS.includes(c.merge_method);
    if (needsBase && c.base_model === undefined)
      issue(["base_model"], `${c.merge_method} needs a base_model`);
    const others = c.models.filter((m) => m.model !== c.base_model);
    if (needsBase && c.base_model !== undefined && others.length === 0) {
      issue(["models"], `${c.merge_method} needs at least one model other than the base_model`);
    }
    if (c.merge_method === "slerp") {
      if (c.base_model !== undefined && others.length > 1) {
        issue(
          ["models"],
          `slerp interpolates two models: the base_model and exactly one other (got ${others.length})`,
        );
      }
      if (c.parameters?.t === undefined) issue(["parameters", "t"], "slerp needs parameters.t in [0, 1]");
    }
  });

export type MergeConfig = z.output<typeof MergeConfigSchema>;

export interface PlannedModel {
  /** Absolute path of the HF model directory. */
  path: string;
  /** As written in the config, for messages. */
  label: string;
  weight: number;
  density: number;
}

/** A validated merge with every default filled in and every path absolute. */
export interface MergePlan {
  method: MergeMethod;
  /** Base model (task vectors are taken against it; slerp's t = 0 end). */
  base?: PlannedModel;
  /**
   * The models mixed. For task-vector methods and slerp a `models` entry naming the base model is
   * dropped (its task vector is zero, as in mergekit). For linear, only `models` are averaged: the
   * base_model is then just the source of config.json and the tokenizer.
   */
  models: PlannedModel[];
  normalize: boolean;
  lambda: number;
  /** slerp only. */
  t: number;
  rescale: boolean;
  dtype: "F32" | "BF16";
  seed: number;
}

/** Resolves a validated config; relative model paths are taken from `configDir`. */
export function planMerge(config: MergeConfig, configDir: string): MergePlan {
  const global = config.parameters ?? {};
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(configDir, p));
  const planned = (label: string, params: { weight?: number; density?: number } = {}): PlannedModel => ({
    path: absolute(label),
    label,
    weight: params.weight ?? global.weight ?? 1,
    density: params.density ?? global.density ?? 1,
  });
  const base = config.base_model !== undefined ? planned(config.base_model) : undefined;
  const keepBaseEntry = config.merge_method === "linear";
  const models = config.models
    .filter((m) => keepBaseEntry || base === undefined || absolute(m.model) !== base.path)
    .map((m) => planned(m.model, m.parameters));
  return {
    method: config.merge_method,
    base,
    models,
    normalize: global.normalize ?? DEFAULT_NORMALIZE[config.merge_method],
    lambda: global.lambda ?? 1,
    t: global.t ?? 0,
    rescale: global.rescale ?? true,
    dtype: config.dtype === "bfloat16" ? "BF16" : "F32",
    seed: config.seed,
  };
}

/** Loads, validates and plans a merge YAML file. Errors name the file and the field path. */
export function loadMergePlan(file: string): MergePlan {
  return planMerge(loadConfigFile(MergeConfigSchema, file), dirname(resolve(file)));
}

/** Validates and plans an already-parsed config (`source` names it in errors; paths resolve from `configDir`). */
export function parseMergePlan(value: unknown, source: string, configDir: string): MergePlan {
  return planMerge(parseConfig(MergeConfigSchema, value, source), configDir);
}
