// The two ways merge methods sparsify a task vector before mixing:
//   - TIES trims to the largest magnitudes (deterministic);
//   - DARE drops entries at random and rescales the survivors so the expected vector is unchanged.
import type { Rng } from "../engine/rng.js";

function checkDensity(density: number, what: string): void {
  if (!(density > 0 && density <= 1)) throw new Error(`${what}: density must be in (0, 1], got ${density}`);
}

/** How many entries a density keeps: floor(density * n) (float noise forgiven), at least one. */
export function keptCount(density: number, n: number): number {
  return Math.max(1, Math.min(n, Math.floor(density * n + 1e-9)));
}

/**
 * The k-th largest value (1 <= k <= n) of `values`, found by quickselect (Hoare partition around a
 * median-of-three pivot): O(n) on average where a full sort of a 4M-entry tensor takes seconds.
 * `values` is reordered in place.
 */
export function kthLargest(values: Float32Array, k: number): number {
  const target = values.length - k; // its index in ascending order
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const a = values[lo]!;
    const b = values[(lo + hi) >>> 1]!;
    const c = values[hi]!;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    // Now values[lo..j] <= pivot <= values[i..hi], and anything between j and i equals the pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return pivot;
  }
  return values[target]!;
}

/**
 * Keeps the keptCount(density, n) entries of largest magnitude and zeroes the rest. Among entries of
 * equal magnitude at the threshold, the lower indices are kept, so the result is deterministic.
 */
export function trimToTopMagnitude(delta: Float32Array, density: number): Float32Array {
  checkDensity(density, "trimToTopMagnitude");
  const out = new Float32Array(delta);
  if (density >= 1 || delta.length === 0) return out;
  const k = keptCount(density, delta.length);
  const magnitudes = new Float32Array(delta.length);
  for (let p = 0; p < delta.length; p++) magnitudes[p] = Math.abs(delta[p]!);
  const threshold = kthLargest(magnitudes, k);
  // Entries strictly above the threshold are all kept; the rest of the budget goes to ties, in order.
  let tiesLeft = k;
  for (let p = 0; p < delta.length; p++) if (Math.abs(delta[p]!) > threshold) tiesLeft--;
  for (let p = 0; p < delta.length; p++) {
    const a = Math.abs(delta[p]!);
    if (a > threshold) continue;
    if (a === threshold && tiesLeft > 0) tiesLeft--;
    else out[p] = 0;
  }
  return out;
}

/**
 * DARE: drops each entry with probability 1 - density and (with `rescale`, the default) divides the kept
 * ones by density, so E[result] = delta. Density 1 returns a copy and draws nothing from `rng`.
 */
export function dropAndRescale(delta: Float32Array, density: number, rng: Rng, rescale = true): Float32Array {
  checkDensity(density, "dropAndRescale");
  const out = new Float32Array(delta.length);
  if (density >= 1) {
    out.set(delta);
    return out;
  }
  const scale = rescale ? 1 / density : 1;
  for (let p = 0; p < delta.length; p++) if (rng.next() < density) out[p] = delta[p]! * scale;
  return out;
}
