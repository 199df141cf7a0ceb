// Decides whether two answers mean the same thing. Cheap checks run first; mathjs only when needed:
//   1. exact: the normalized strings are equal (plain words also case-insensitively);
//   2. numbers: two plain numbers compare by relative tolerance ("numeric"), fractions and percents
//      first by exact rational value ("rational"); two different numbers are unequal right away;
//   3. structures: tuples/intervals `(1,2]` element by element with the same brackets, sets `\{1,2\}`,
//      bare lists `1, 2` and unions `A \cup B` order-insensitively; equations side by side;
//   4. expressions (when `symbolic`): mathjs `rationalize`/`simplify` of a-b ("symbolic"), backed by
//      probing at random points ("probe"); constant expressions are evaluated ("symbolic").
import { latexToExpression } from "./latex.js";
import { normalizeAnswer } from "./normalize.js";
import { closeEnough, type ParsedNumber, parseNumber, type Rational, rationalsEqual } from "./numbers.js";
import { compareExpressions } from "./symbolic.js";

export type EquivalenceMethod = "exact" | "numeric" | "rational" | "symbolic" | "probe";

export interface EquivalenceOptions {
  /** Relative tolerance for numbers (default 1e-4: 3.1416 equals pi, 12 does not equal 12.01). */
  relTol?: number;
  /** Use mathjs for expressions (default true). */
  symbolic?: boolean;
}

export interface Equivalence {
  equal: boolean;
  /** The check that decided (for an unequal pair: the last one tried). */
  method: EquivalenceMethod;
}

const RANK: Record<EquivalenceMethod, number> = { exact: 0, numeric: 1, rational: 2, symbolic: 3, probe: 4 };

/** Normalizes both answers and compares them. */
export function answersEquivalent(a: string, b: string, opts: EquivalenceOptions = {}): Equivalence {
  return normalizedEquivalent(normalizeAnswer(a), normalizeAnswer(b), {
    relTol: opts.relTol ?? 1e-4,
    symbolic: opts.symbolic ?? true,
  });
}

/** Compares two already-normalized answers. */
export function normalizedEquivalent(a: string, b: string, opts: Required<EquivalenceOptions>): Equivalence {
  if (a === b) return { equal: true, method: "exact" };
  if (a === "" || b === "") return { equal: false, method: "exact" };
  // Words ("Monday", "yes"): case-insensitive. Short letter strings are products of variables (`xy`).
  if (/^[a-zA-Z ]{3,}$/.test(a) && /^[a-zA-Z ]{3,}$/.test(b)) {
    return { equal: a.toLowerCase() === b.toLowerCase(), method: "exact" };
  }
  const na = parseNumber(a);
  const nb = parseNumber(b);
  if (na && nb) return compareNumbers(na, nb, opts.relTol);

  const sa = parseStructure(a);
  const sb = parseStructure(b);
  if (sa || sb) {
    if (!sa || !sb) return { equal: false, method: "exact" };
    return compareStructures(sa, sb, opts);
  }
  const ea = splitTopLevel(a, "=");
  const eb = splitTopLevel(b, "=");
  if (ea.length > 1 || eb.length > 1) {
    if (ea.length !== 2 || eb.length !== 2) return { equal: false, method: "exact" };
    const same = allEquivalent([ea[0]!, ea[1]!], [eb[0]!, eb[1]!], opts);
    return same.equal ? same : allEquivalent([ea[0]!, ea[1]!], [eb[1]!, eb[0]!], opts);
  }
  if (!opts.symbolic) return { equal: false, method: na || nb ? "numeric" : "exact" };
  const xa = latexToExpression(a);
  const xb = latexToExpression(b);
  if (xa === null || xb === null) return { equal: false, method: "exact" };
  return compareExpressions(xa, xb, opts.relTol) ?? { equal: false, method: "symbolic" };
}

function compareNumbers(a: ParsedNumber, b: ParsedNumber, relTol: number): Equivalence {
  // Percent policy: `25%` equals both 0.25 and 25 (datasets store either); `25` never equals 0.25.
  const readingsA = readings(a);
  const readingsB = readings(b);
  const rational = a.fraction || b.fraction || a.percent || b.percent;
  if (rational) {
    for (const x of readingsA)
      for (const y of readingsB)
        if (x.exact && y.exact && rationalsEqual(x.exact, y.exact))
          return { equal: true, method: "rational" };
  }
  for (const x of readingsA)
    for (const y of readingsB)
      if (closeEnough(x.value, y.value, relTol)) return { equal: true, method: "numeric" };
  return { equal: false, method: rational ? "rational" : "numeric" };
}

function readings(n: ParsedNumber): { value: number; exact: Rational | null }[] {
  const asWritten = { value: n.value, exact: n.exact };
  if (!n.percent) return [asWritten];
  const exact = n.exact ? { num: n.exact.num, den: n.exact.den * 100n } : null;
  return [{ value: n.value / 100, exact }, asWritten];
}

interface Structure {
  /** `ordered` tuples/intervals compare position by position; the rest ignore order. */
  ordered: boolean;
  /** Bracket pair for tuples and intervals, `set` for sets and bare lists, `union`. */
  shape: string;
  items: string[];
}

function parseStructure(s: string): Structure | null {
  const unionParts = splitTopLevel(s, "\\cup");
  if (unionParts.length > 1) return { ordered: false, shape: "union", items: unionParts };
  if (s.startsWith("\\{") && s.endsWith("\\}") && encloses(s, 2)) {
    return { ordered: false, shape: "set", items: splitTopLevel(s.slice(2, -2), ",") };
  }
  if ("([".includes(s[0]!) && ")]".includes(s.at(-1)!) && encloses(s, 1)) {
    const items = splitTopLevel(s.slice(1, -1), ",");
    if (items.length > 1) return { ordered: true, shape: s[0]! + s.at(-1)!, items };
  }
  const items = splitTopLevel(s, ",");
  if (items.length > 1) return { ordered: false, shape: "set", items };
  return null;
}

function compareStructures(a: Structure, b: Structure, opts: Required<EquivalenceOptions>): Equivalence {
  if (a.shape !== b.shape || a.items.length !== b.items.length) return { equal: false, method: "exact" };
  if (a.ordered) return allEquivalent(a.items, b.items, opts);
  return matchUnordered(a.items, b.items, opts);
}

function allEquivalent(a: string[], b: string[], opts: Required<EquivalenceOptions>): Equivalence {
  let method: EquivalenceMethod = "exact";
  for (let i = 0; i < a.length; i++) {
    const e = normalizedEquivalent(a[i]!, b[i]!, opts);
    if (!e.equal) return e;
    if (RANK[e.method] > RANK[method]) method = e.method;
  }
  return { equal: true, method };
}

/** Finds a one-to-one pairing of equivalent items (backtracking; answer sets are small). */
function matchUnordered(a: string[], b: string[], opts: Required<EquivalenceOptions>): Equivalence {
  const used = new Array<boolean>(b.length).fill(false);
  let method: EquivalenceMethod = "exact";
  const assign = (i: number): boolean => {
    if (i === a.length) return true;
    for (let j = 0; j < b.length; j++) {
      if (used[j]) continue;
      const e = normalizedEquivalent(a[i]!, b[j]!, opts);
      if (!e.equal) continue;
      used[j] = true;
      if (assign(i + 1)) {
        if (RANK[e.method] > RANK[method]) method = e.method;
        return true;
      }
      used[j] = false;
    }
    return false;
  };
  return { equal: assign(0), method };
}

/** True when the bracket opened at the start (of width `width`) closes only at the very end. */
function encloses(s: string, width: number): boolean {
  let depth = 0;
  for (let i = 0; i < s.length - width; i++) {
    const c = s[i]!;
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    if (depth === 0 && i >= width - 1) return false;
  }
  return true;
}

/** Splits at `sep` outside any brackets (`(`/`[`/`{` and their closers count alike, so `(1,2]` nests). */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}
