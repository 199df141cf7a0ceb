// Symbolic comparison with mathjs, backed by numeric probing. A CAS that fails to simplify a-b to 0
// has not proved a != b, so expressions with variables are also evaluated at random points: a point
// where they differ disproves equality; agreement at every point (with no simplification) counts as
// equality by probing.
import { createRequire } from "node:module";
import type { EvalFunction, MathJsInstance, MathNode } from "mathjs";
import { Rng } from "../../engine/rng.js";
import { closeEnough } from "./numbers.js";

let mathjs: MathJsInstance | null = null;

/** mathjs takes a second or two to load, so it loads on first use (workers load it before reporting ready). */
export function loadMath(): MathJsInstance {
  if (!mathjs) {
    const mod = createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
    mathjs = mod.create(mod.all);
  }
  return mathjs;
}

export interface SymbolicVerdict {
  equal: boolean;
  method: "symbolic" | "probe";
}

const PROBE_POINTS = 8;
const MIN_VALID_POINTS = 3;

/** Compares two mathjs expression strings; null when either does not parse or evaluate to a number. */
export function compareExpressions(exprA: string, exprB: string, relTol: number): SymbolicVerdict | null {
  const math = loadMath();
  let a: MathNode;
  let b: MathNode;
  try {
    a = math.parse(exprA);
    b = math.parse(exprB);
  } catch {
    return null;
  }
  const vars = [...new Set([...freeVariables(math, a), ...freeVariables(math, b)])].sort();
  let fa: EvalFunction;
  let fb: EvalFunction;
  try {
    fa = a.compile();
    fb = b.compile();
  } catch {
    return null;
  }
  if (vars.length === 0) {
    const va = evaluate(math, fa, {});
    const vb = evaluate(math, fb, {});
    if (!va || !vb) return null;
    return { equal: complexClose(va, vb, relTol), method: "symbolic" };
  }
  const probe = probeAgreement(math, fa, fb, vars, relTol);
  if (probe === "differ") return { equal: false, method: "probe" };
  if (differenceSimplifiesToZero(math, exprA, exprB)) return { equal: true, method: "symbolic" };
  return { equal: probe === "agree", method: "probe" };
}

function freeVariables(math: MathJsInstance, node: MathNode): string[] {
  const names: string[] = [];
  node.traverse((n, path, parent) => {
    if (n.type !== "SymbolNode") return;
    if (parent?.type === "FunctionNode" && path === "fn") return;
    const name = (n as unknown as { name: string }).name;
    if (!(name in math)) names.push(name);
  });
  return names;
}

/** Evaluates both at seeded random points in [0.5, 2.5] (positive, away from the usual poles at 0). */
function probeAgreement(
  math: MathJsInstance,
  fa: EvalFunction,
  fb: EvalFunction,
  vars: string[],
  relTol: number,
): "agree" | "differ" | "inconclusive" {
  const rng = new Rng(0x5eed);
  let valid = 0;
  for (let p = 0; p < PROBE_POINTS; p++) {
    const scope: Record<string, number> = {};
    for (const v of vars) scope[v] = 0.5 + 2 * rng.next();
    const va = evaluate(math, fa, scope);
    const vb = evaluate(math, fb, scope);
    if (!va && !vb) continue;
    if (!va || !vb) return "differ";
    if (!complexClose(va, vb, Math.max(relTol, 1e-9))) return "differ";
    valid++;
  }
  return valid >= MIN_VALID_POINTS ? "agree" : "inconclusive";
}

/** simplify(a - b) is 0; failing that (it does not expand products), rationalize(a - b) for rational functions. */
function differenceSimplifiesToZero(math: MathJsInstance, exprA: string, exprB: string): boolean {
  const difference = `(${exprA}) - (${exprB})`;
  for (const reduce of [() => math.simplify(difference), () => math.rationalize(difference)]) {
    try {
      if (reduce().toString() === "0") return true;
    } catch {
      // not a rational expression, or simplify gave up
    }
  }
  return false;
}

interface Complex {
  re: number;
  im: number;
}

function evaluate(math: MathJsInstance, f: EvalFunction, scope: Record<string, number>): Complex | null {
  let v: unknown;
  try {
    v = f.evaluate({ ...scope });
  } catch {
    return null;
  }
  if (typeof v === "number") return Number.isFinite(v) ? { re: v, im: 0 } : null;
  if (math.isComplex(v)) {
    const c = v as unknown as Complex;
    return Number.isFinite(c.re) && Number.isFinite(c.im) ? { re: c.re, im: c.im } : null;
  }
  if (math.isBigNumber(v) || math.isFraction(v)) return { re: Number(v), im: 0 };
  return null;
}

function complexClose(a: Complex, b: Complex, relTol: number): boolean {
  if (a.im === 0 && b.im === 0) return closeEnough(a.re, b.re, relTol);
  const diff = Math.hypot(a.re - b.re, a.im - b.im);
  return diff <= relTol * Math.max(Math.hypot(a.re, a.im), Math.hypot(b.re, b.im)) || diff < 1e-12;
}
