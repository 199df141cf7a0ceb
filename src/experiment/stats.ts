// Small pure statistics for the experiment report: mean, spread, rank correlation, error, and the rule
// that decides when a difference between two arms may be claimed.

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Standard error of the mean (sampleStd / sqrt(n)); 0 for fewer than two values. */
export function stderrOfMean(xs: readonly number[]): number {
  return xs.length < 2 ? 0 : sampleStd(xs) / Math.sqrt(xs.length);
}

/** Ranks 1..n (1 = smallest); tied values share the average of the ranks they span. */
export function averageRanks(xs: readonly number[]): number[] {
  const idx = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const ranks = new Array<number>(xs.length);
  for (let start = 0; start < idx.length; ) {
    let end = start;
    while (end + 1 < idx.length && xs[idx[end + 1]!] === xs[idx[start]!]) end++;
    const r = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[idx[k]!] = r;
    start = end + 1;
  }
  return ranks;
}

/** Pearson correlation; null when fewer than two points or either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length !== ys.length) throw new Error(`pearson: ${xs.length} x values but ${ys.length} y values`);
  if (xs.length < 2) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman rank correlation (Pearson on average ranks, so ties are handled); null when undefined. */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length !== ys.length) throw new Error(`spearman: ${xs.length} x values but ${ys.length} y values`);
  return pearson(averageRanks(xs), averageRanks(ys));
}

/** Mean absolute error between predictions and measurements. */
export function meanAbsoluteError(predicted: readonly number[], actual: readonly number[]): number {
  if (predicted.length !== actual.length)
    throw new Error(`mae: ${predicted.length} predictions but ${actual.length} measurements`);
  if (predicted.length === 0) return Number.NaN;
  return mean(predicted.map((p, i) => Math.abs(p - actual[i]!)));
}

/** Mean ± spread of one arm's headline number. */
export interface Summary {
  mean: number;
  /** Sample std over seeds when there are >= 2 seeds, else the evaluation's standard error. */
  spread: number;
  /** "seeds" when spread is the std over seeds, "eval_stderr" when it is the single run's sampling error. */
  spreadKind: "seeds" | "eval_stderr";
  n: number;
}

export interface Difference {
  delta: number;
  /** The margin delta has to exceed to be claimed. */
  margin: number;
  claimed: boolean;
}

/**
 * Whether a - b is a difference worth claiming. With seeds, the spreads are stds over seeds and the
 * difference must exceed their sum (the mean ± std bands do not overlap). With one run per arm, the
 * spreads are evaluation standard errors and the difference must exceed twice the standard error of
 * the difference (about a 95% interval).
 */
export function compare(a: Summary, b: Summary): Difference {
  const delta = a.mean - b.mean;
  const margin =
    a.spreadKind === "seeds" && b.spreadKind === "seeds"
      ? a.spread + b.spread
      : 2 * Math.sqrt(a.spread ** 2 + b.spread ** 2);
  return { delta, margin, claimed: Math.abs(delta) > margin };
}
