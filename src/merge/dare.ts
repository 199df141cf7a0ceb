// mergekit `dare_linear` and `dare_ties` (DARE, arXiv 2311.03099): drop each task-vector entry with
// probability 1 - density and rescale the kept ones by 1/density, then mix the task vectors by plain
// task arithmetic (dare_linear) or with TIES sign consensus (dare_ties). mergekit's defaults for both:
// normalize false, rescale true.
import type { Rng } from "../engine/rng.js";
import { dropAndRescale } from "./sparsify.js";
import { combineTaskVectors, taskVector } from "./task-vector.js";
import { perModel } from "./ties.js";

export interface DareOptions {
  /** Divide by the summed weights (of the agreeing models for dare_ties). Default false. */
  normalize?: boolean;
  lambda?: number;
  /** Rescale the kept entries by 1/density (default true). */
  rescale?: boolean;
}

function dare(
  base: Float32Array,
  models: readonly Float32Array[],
  weights: readonly number[],
  density: number | readonly number[],
  rng: Rng,
  opts: DareOptions,
  signConsensus: boolean,
): Float32Array {
  const densities = perModel(density, models.length, "dare density");
  const deltas = models.map((m, i) =>
    dropAndRescale(taskVector(m, base), densities[i]!, rng, opts.rescale ?? true),
  );
  return combineTaskVectors(base, deltas, weights, {
    normalize: opts.normalize ?? false,
    lambda: opts.lambda,
    signConsensus,
  });
}

export function dareLinear(
  base: Float32Array,
  models: readonly Float32Array[],
  weights: readonly number[],
  density: number | readonly number[],
  rng: Rng,
  opts: DareOptions = {},
): Float32Array {
  return dare(base, models, weights, density, rng, opts, false);
}

export function dareTies(
  base: Float32Array,
  models: readonly Float32Array[],
  weights: readonly number[],
  density: number | readonly number[],
  rng: Rng,
  opts: DareOptions = {},
): Float32Array {
  return dare(base, models, weights, density, rng, opts, true);
}
