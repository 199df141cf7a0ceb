// mergekit `ties` (TIES-Merging, arXiv 2306.01708):
//   1. trim each task vector to its top-`density` fraction by magnitude;
//   2. elect a sign per parameter: the sign of the sum of the weighted trimmed deltas;
//   3. disjoint mean: sum only the weighted deltas that carry the elected sign and (normalize, the
//      default) divide by the sum of the weights of those agreeing models;
//   4. add lambda times the result to the base.
import { trimToTopMagnitude } from "./sparsify.js";
import { combineTaskVectors, taskVector } from "./task-vector.js";

export interface TiesOptions {
  /** Divide by the summed weights of the agreeing models (mergekit's default for ties: true). */
  normalize?: boolean;
  lambda?: number;
}

/** A per-model value from a scalar (same for all models) or a list. */
export function perModel(value: number | readonly number[], count: number, what: string): number[] {
  if (typeof value === "number") return new Array<number>(count).fill(value);
  if (value.length !== count) throw new Error(`${what}: ${value.length} values for ${count} models`);
  return [...value];
}

export function ties(
  base: Float32Array,
  models: readonly Float32Array[],
  weights: readonly number[],
  density: number | readonly number[],
  opts: TiesOptions = {},
): Float32Array {
  const densities = perModel(density, models.length, "ties density");
  const deltas = models.map((m, i) => trimToTopMagnitude(taskVector(m, base), densities[i]!));
  return combineTaskVectors(base, deltas, weights, {
    normalize: opts.normalize ?? true,
    lambda: opts.lambda,
    signConsensus: true,
  });
}
