// Loss aggregation: how per-token losses l[s][t] of a batch of sequences become one scalar,
// written as weights so that L = sum over tokens of w[s] * l[s][t] (every token of a sequence shares w[s]):
//   token-mean:               w = 1 / (total loss tokens)           every token weighs the same
//   seq-mean-token-mean:      w[s] = 1 / (S * len[s])               every sequence weighs the same
//   seq-mean-token-sum-norm:  w = 1 / (S * norm)                    Dr. GRPO: a constant divisor
// S counts the sequences that have at least one loss token; `norm` is a constant (the trainer uses
// max_new_tokens), so long answers are not down-weighted per token.

export const LOSS_AGGREGATIONS = ["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"] as const;
export type LossAggregation = (typeof LOSS_AGGREGATIONS)[number];

/** Per-sequence token weights for sequences with `lengths[s]` loss tokens (0 for empty sequences). */
export function sequenceWeights(lengths: readonly number[], mode: LossAggregation, norm = 1): number[] {
  const live = lengths.filter((n) => n > 0).length;
  const total = lengths.reduce((a, n) => a + Math.max(0, n), 0);
  if (live === 0) return lengths.map(() => 0);
  if (mode === "seq-mean-token-sum-norm" && !(norm > 0)) {
    throw new Error(`seq-mean-token-sum-norm needs a positive norm, got ${norm}`);
  }
  return lengths.map((n) => {
    if (n <= 0) return 0;
    if (mode === "token-mean") return 1 / total;
    if (mode === "seq-mean-token-mean") return 1 / (live * n);
    return 1 / (live * norm);
  });
}

/** Aggregates per-token values (one array per sequence) with the mode's weights. */
export function aggregate(values: readonly (readonly number[])[], mode: LossAggregation, norm = 1): number {
  const w = sequenceWeights(
    values.map((v) => v.length),
    mode,
    norm,
  );
  let out = 0;
  values.forEach((v, s) => {
    for (const x of v) out += w[s]! * x;
  });
  return out;
}
