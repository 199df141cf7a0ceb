// mergekit `linear`: a weighted average of whole models (no base model, no task vectors).
import { assertSameLength, assertWeights } from "./task-vector.js";

/** sum(w_i * x_i), divided by sum(w_i) when `normalize` (mergekit's default: true). */
export function linear(
  tensors: readonly Float32Array[],
  weights: readonly number[],
  normalize = true,
): Float32Array {
  if (tensors.length === 0) throw new Error("linear: no tensors to merge");
  assertSameLength(tensors, "linear");
  assertWeights(weights, tensors.length, "linear");
  const total = weights.reduce((a, b) => a + b, 0);
  if (normalize && total === 0) throw new Error("linear: the weights sum to 0, so they cannot be normalized");
  const scale = normalize ? 1 / total : 1;
  const out = new Float32Array(tensors[0]!.length);
  for (let p = 0; p < out.length; p++) {
    let sum = 0;
    for (let i = 0; i < tensors.length; i++) sum += weights[i]! * tensors[i]![p]!;
    out[p] = sum * scale;
  }
  return out;
}
