// mergekit `slerp`: spherical linear interpolation between two models, per tensor, treating the whole
// flattened tensor as one vector. The angle comes from the normalized vectors; the interpolation
// weights are applied to the original (unnormalized) ones, as mergekit does.
import { assertSameLength } from "./task-vector.js";

/** |cos(angle)| above this: the vectors are (anti)parallel and slerp falls back to linear interpolation. */
export const COLINEAR_THRESHOLD = 0.9995;
const ZERO_NORM = 1e-8;

function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let p = 0; p < a.length; p++) out[p] = (1 - t) * a[p]! + t * b[p]!;
  return out;
}

/** slerp(a, b, 0) = a and slerp(a, b, 1) = b exactly; t in [0, 1]. */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  assertSameLength([a, b], "slerp");
  if (!(t >= 0 && t <= 1)) throw new Error(`slerp: t must be in [0, 1], got ${t}`);
  if (t === 0) return new Float32Array(a);
  if (t === 1) return new Float32Array(b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let p = 0; p < a.length; p++) {
    dot += a[p]! * b[p]!;
    na += a[p]! * a[p]!;
    nb += b[p]! * b[p]!;
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  // A zero vector has no direction, so there is no angle to interpolate: use a straight line.
  if (na <= ZERO_NORM || nb <= ZERO_NORM) return lerp(a, b, t);
  const cos = dot / (na * nb);
  if (Math.abs(cos) > COLINEAR_THRESHOLD) return lerp(a, b, t);
  const theta = Math.acos(cos);
  const sinTheta = Math.sin(theta);
  const sa = Math.sin((1 - t) * theta) / sinTheta;
  const sb = Math.sin(t * theta) / sinTheta;
  const out = new Float32Array(a.length);
  for (let p = 0; p < a.length; p++) out[p] = sa * a[p]! + sb * b[p]!;
  return out;
}
