// Finite-difference gradient checking for the engine tests (no side effects on import).
import assert from "node:assert/strict";
import { Rng } from "../../src/engine/rng.js";

export function randomArray(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

/** sum_i a[i] * b[i] in float64. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export interface GradCheckOptions {
  eps?: number;
  /** Accept |fd - analytic| <= atol + rtol * max(|fd|, |analytic|). */
  atol?: number;
  rtol?: number;
  /** Check only this many entries (chosen by rng); default all. */
  sample?: number;
  rng?: Rng;
}

/**
 * Central differences of loss() with respect to each checked entry of x, compared with analytic[i].
 * The step actually taken is measured after float32 rounding, so the quotient uses the true delta.
 * Returns the number of entries checked.
 */
export function checkGradient(
  label: string,
  x: Float32Array,
  analytic: Float32Array,
  loss: () => number,
  opts: GradCheckOptions = {},
): number {
  const eps = opts.eps ?? 1e-3;
  const atol = opts.atol ?? 1e-3;
  const rtol = opts.rtol ?? 1e-2;
  let indices = Array.from({ length: x.length }, (_, i) => i);
  if (opts.sample !== undefined && opts.sample < x.length) {
    indices = (opts.rng ?? new Rng(7)).shuffle(indices).slice(0, opts.sample);
  }
  for (const i of indices) {
    const orig = x[i]!;
    x[i] = orig + eps;
    const up = x[i]!;
    const lossUp = loss();
    x[i] = orig - eps;
    const down = x[i]!;
    const lossDown = loss();
    x[i] = orig;
    const fd = (lossUp - lossDown) / (up - down);
    const an = analytic[i]!;
    const tol = atol + rtol * Math.max(Math.abs(fd), Math.abs(an));
    assert.ok(
      Math.abs(fd - an) <= tol,
      `${label}[${i}]: finite difference ${fd.toExponential(4)} vs analytic ${an.toExponential(4)} (tol ${tol.toExponential(2)})`,
    );
  }
  return indices.length;
}

/** Largest |a - b| relative to the largest |b| (scale-free comparison of two results). */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
