// Applies a MergePlan to whole models held in memory, tensor by tensor. Every model must have the same
// tensor names with the same shapes; a mismatch is an error naming the tensor and the two models.
import { Rng } from "../engine/rng.js";
import type { Tensor } from "../models/safetensors.js";
import type { MergePlan } from "./config.js";
import { dareLinear, dareTies } from "./dare.js";
import { linear } from "./linear.js";
import { slerp } from "./slerp.js";
import { taskArithmetic } from "./task-arithmetic.js";
import { ties } from "./ties.js";

/** One model's tensors, with a label (its path) for error messages. */
export interface LabeledTensors {
  label: string;
  tensors: Map<string, Tensor>;
}

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Checks that every model has exactly the reference model's tensor names and shapes. */
export function checkSameTensors(models: readonly LabeledTensors[]): void {
  const [reference, ...rest] = models;
  if (!reference) throw new MergeError("no models to merge");
  for (const other of rest) {
    for (const [name, t] of reference.tensors) {
      const o = other.tensors.get(name);
      if (!o)
        throw new MergeError(`tensor "${name}" is in ${reference.label} but missing from ${other.label}`);
      const sameShape = o.shape.length === t.shape.length && o.shape.every((d, i) => d === t.shape[i]);
      if (!sameShape) {
        throw new MergeError(
          `tensor "${name}" has shape ${shapeText(t.shape)} in ${reference.label} but ${shapeText(o.shape)} in ${other.label}`,
        );
      }
    }
    for (const name of other.tensors.keys()) {
      if (!reference.tensors.has(name)) {
        throw new MergeError(`tensor "${name}" is in ${other.label} but missing from ${reference.label}`);
      }
    }
  }
}

/** Merges one tensor. `base` is required by every method except linear; `rng` drives DARE. */
export function mergeTensor(
  plan: MergePlan,
  base: Float32Array | undefined,
  models: readonly Float32Array[],
  rng: Rng,
): Float32Array {
  const weights = plan.models.map((m) => m.weight);
  const densities = plan.models.map((m) => m.density);
  if (plan.method === "linear") return linear(models, weights, plan.normalize);
  if (!base) throw new MergeError(`${plan.method} needs a base model`);
  const mix = { normalize: plan.normalize, lambda: plan.lambda };
  switch (plan.method) {
    case "task_arithmetic":
      return taskArithmetic(base, models, weights, mix);
    case "ties":
      return ties(base, models, weights, densities, mix);
    case "dare_linear":
      return dareLinear(base, models, weights, densities, rng, { ...mix, rescale: plan.rescale });
    case "dare_ties":
      return dareTies(base, models, weights, densities, rng, { ...mix, rescale: plan.rescale });
    case "slerp":
      if (models.length !== 1)
        throw new MergeError(`slerp needs exactly one model besides the base (got ${models.length})`);
      return slerp(base, models[0]!, plan.t);
  }
}

export interface MergeProgress {
  /** 1-based index of the tensor just merged. */
  index: number;
  total: number;
  name: string;
  elements: number;
}

/**
 * Merges every tensor. `models` are in plan.models order; `base` is the plan's base model (may be
 * undefined for linear). The output keeps the reference model's tensor order.
 */
export function mergeModels(
  plan: MergePlan,
  base: LabeledTensors | undefined,
  models: readonly LabeledTensors[],
  onProgress?: (p: MergeProgress) => void,
): Map<string, Tensor> {
  if (models.length !== plan.models.length) {
    throw new MergeError(`the plan lists ${plan.models.length} models but ${models.length} were given`);
  }
  const all = base ? [base, ...models] : [...models];
  checkSameTensors(all);
  const rng = new Rng(plan.seed);
  const reference = all[0]!;
  const out = new Map<string, Tensor>();
  let index = 0;
  for (const [name, t] of reference.tensors) {
    const data = mergeTensor(
      plan,
      base ? base.tensors.get(name)!.data : undefined,
      models.map((m) => m.tensors.get(name)!.data),
      rng,
    );
    out.set(name, { shape: [...t.shape], data });
    onProgress?.({ index: ++index, total: reference.tensors.size, name, elements: data.length });
  }
  return out;
}
