// mergekit `task_arithmetic`: base + lambda * sum(w_i * (model_i - base)).
import { combineTaskVectors, taskVector } from "./task-vector.js";

export interface TaskArithmeticOptions {
  /** Scale of the summed task vectors (default 1). */
  lambda?: number;
  /** Divide by the sum of the weights (mergekit's default for task_arithmetic: false). */
  normalize?: boolean;
}

export function taskArithmetic(
  base: Float32Array,
  models: readonly Float32Array[],
  weights: readonly number[],
  opts: TaskArithmeticOptions = {},
): Float32Array {
  const deltas = models.map((m) => taskVector(m, base));
  return combineTaskVectors(base, deltas, weights, {
    normalize: opts.normalize ?? false,
    lambda: opts.lambda,
    signConsensus: false,
  });
}
