// Task vectors (fine-tuned model minus base model) and the shared step of every task-arithmetic merge:
// weight the task vectors, optionally keep only the entries that agree with an elected sign (TIES),
// sum, optionally normalize by the weights that took part, scale by lambda, and add to the base.
// Arithmetic runs in float64 per parameter; tensors are stored as float32.

/** Throws unless every tensor has the same number of elements as the first. */
export function assertSameLength(tensors: readonly Float32Array[], what: string): void {
  const n = tensors[0]?.length;
  tensors.forEach((t, i) => {
    if (t.length !== n) throw new Error(`${what}: tensor ${i} has ${t.length} elements, expected ${n}`);
  });
}

/** Checks the weights line up with the models and are finite. */
export function assertWeights(weights: readonly number[], count: number, what: string): void {
  if (weights.length !== count) throw new Error(`${what}: ${weights.length} weights for ${count} models`);
  weights.forEach((w, i) => {
    if (!Number.isFinite(w)) throw new Error(`${what}: weight ${i} is not a finite number (${w})`);
  });
}

/** model - base, element by element. */
export function taskVector(model: Float32Array, base: Float32Array): Float32Array {
  assertSameLength([base, model], "taskVector");
  const delta = new Float32Array(base.length);
  for (let p = 0; p < base.length; p++) delta[p] = model[p]! - base[p]!;
  return delta;
}

export interface CombineOptions {
  /** Divide the mixed delta by the sum of the weights that took part (TIES: only the agreeing models). */
  normalize: boolean;
  /** Scale of the mixed delta before it is added to the base (default 1). */
  lambda?: number;
  /**
   * TIES sign consensus: per parameter, the elected sign is the sign of the sum of the weighted deltas
   * (ties go to +); only weighted deltas of that sign are kept. Zero entries (trimmed or dropped) never
   * agree, so they do not count in the normalizing divisor either.
   */
  signConsensus: boolean;
}

/**
 * base + lambda * mix(weights * deltas). Without normalization or consensus this is task arithmetic;
 * a zero divisor (no agreeing model, or weights summing to ~0) is replaced by 1, as mergekit does.
 */
export function combineTaskVectors(
  base: Float32Array,
  deltas: readonly Float32Array[],
  weights: readonly number[],
  opts: CombineOptions,
): Float32Array {
  assertSameLength([base, ...deltas], "combineTaskVectors");
  assertWeights(weights, deltas.length, "combineTaskVectors");
  const lambda = opts.lambda ?? 1;
  const n = base.length;
  // Model-by-model passes over flat arrays keep the inner loops simple and fast on large tensors.
  const mixed = new Float64Array(n);
  if (!opts.signConsensus) {
    let divisor = 0;
    deltas.forEach((delta, i) => {
      const w = weights[i]!;
      divisor += w;
      for (let p = 0; p < n; p++) mixed[p]! += w * delta[p]!;
    });
    if (Math.abs(divisor) < 1e-8) divisor = 1;
    const scale = lambda / (opts.normalize ? divisor : 1);
    const out = new Float32Array(n);
    for (let p = 0; p < n; p++) out[p] = base[p]! + scale * mixed[p]!;
    return out;
  }
  const signMass = new Float64Array(n);
  deltas.forEach((delta, i) => {
    const w = weights[i]!;
    for (let p = 0; p < n; p++) signMass[p]! += w * delta[p]!;
  });
  const divisor = new Float64Array(n);
  deltas.forEach((delta, i) => {
    const w = weights[i]!;
    for (let p = 0; p < n; p++) {
      const wd = w * delta[p]!;
      // The elected sign is + when the mass is >= 0; a zero never agrees.
      if (signMass[p]! >= 0 ? wd > 0 : wd < 0) {
        mixed[p]! += wd;
        divisor[p]! += w;
      }
    }
  });
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const d = opts.normalize && divisor[p] !== 0 ? divisor[p]! : 1;
    out[p] = base[p]! + (lambda * mixed[p]!) / d;
  }
  return out;
}
