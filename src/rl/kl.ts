// Per-token estimators of KL(pi || pi_ref) from one sample, as functions of logp = log pi(token) and
// ref = log pi_ref(token) (Schulman's k1/k3), each with its derivative with respect to logp:
//   k1 = logp - ref                              d/dlogp = 1
//   k3 = exp(ref - logp) - (ref - logp) - 1      d/dlogp = 1 - exp(ref - logp)
// k1 is unbiased but can be negative; k3 is unbiased, never negative, and lower-variance.

export const KL_ESTIMATORS = ["k1", "k3"] as const;
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

/** log-ratios beyond this are clamped before exp (verl clamps at +-20 too), so k3 stays finite. */
const MAX_LOG_RATIO = 20;

export function klValue(logp: number, ref: number, estimator: KlEstimator): number {
  if (estimator === "k1") return logp - ref;
  const d = Math.max(-MAX_LOG_RATIO, Math.min(MAX_LOG_RATIO, ref - logp));
  return Math.exp(d) - d - 1;
}

/** d klValue / d logp. */
export function klGrad(logp: number, ref: number, estimator: KlEstimator): number {
  if (estimator === "k1") return 1;
  const d = ref - logp;
  if (d > MAX_LOG_RATIO || d < -MAX_LOG_RATIO) return 0; // clamped region is flat
  return 1 - Math.exp(d);
}
