// Arithmetic drills: lines `a op b = c.` in the exact form the math domain's worked solutions use
// (src/tasks/math/work.ts), with integer operands of the sizes those solutions need. omni-tiny gets
// only 16% of the equations in its solutions right; scripts/arithmetic-pilot.ts measures whether
// training on drills teaches it (it did not: models/omni-tiny/README.md). Not part of any recipe yet.
//
// The drills never show an equation that occurs in a math train or test reference, so the RL rows'
// and the eval's computations stay unseen. arithmeticAccuracy measures the skill itself: greedy
// completion of `a op b =` on held-out equations, per operator.
import type { Rng } from "../engine/rng.js";
import type { LlamaModel } from "../models/llama.js";
import { generate } from "../models/sampler.js";
import type { TextTokenizer } from "../models/tokenizer.js";
import type { Row } from "../tasks/schema.js";

export type ArithOp = "+" | "-" | "×" | "÷";
export const ARITH_OPS: readonly ArithOp[] = ["+", "-", "×", "÷"];

export interface Equation {
  a: number;
  op: ArithOp;
  b: number;
  result: number;
}

/** Uniform over digit counts lo..hi, then uniform within that count (so 1-digit numbers are common). */
function numberOfDigits(rng: Rng, loDigits: number, hiDigits: number): number {
  const digits = loDigits + rng.int(hiDigits - loDigits + 1);
  const lo = digits === 1 ? 0 : 10 ** (digits - 1);
  return lo + rng.int(10 ** digits - lo);
}

/**
 * One random equation. Sizes follow the math families: sums and differences of 1-4 digit numbers
 * (never negative), products of a 1-3 digit by a 1-2 digit number, exact quotients; `maxDigits`
 * caps every operand (and quotient) at fewer digits.
 */
export function drawEquation(rng: Rng, op: ArithOp = ARITH_OPS[rng.int(4)]!, maxDigits = 4): Equation {
  const number = (lo: number, hi: number) => numberOfDigits(rng, lo, Math.min(hi, maxDigits));
  switch (op) {
    case "+": {
      const a = number(1, 4);
      const b = number(1, 4);
      return { a, op, b, result: a + b };
    }
    case "-": {
      const x = number(1, 4);
      const y = number(1, 4);
      const [a, b] = x >= y ? [x, y] : [y, x];
      return { a, op, b, result: a - b };
    }
    case "×": {
      const a = number(1, 3);
      const b = number(1, 2);
      return { a, op, b, result: a * b };
    }
    case "÷": {
      const b = Math.max(2, number(1, 2));
      const q = number(1, 3);
      return { a: b * q, op, b, result: q };
    }
  }
}

/** `plain`: `a op b = c.`; `scratchpad`: the column work first (sums and differences only). */
export type DrillFormat = "plain" | "scratchpad";
const SCRATCHPAD_OPS: readonly ArithOp[] = ["+", "-"];

export const equationKey = (e: { a: number; op: string; b: number }): string => `${e.a} ${e.op} ${e.b}`;
export const equationText = (e: Equation): string => `${equationKey(e)} = ${e.result}.`;

/** An integer equation `a op b = c` inside text (groups: a, op, b, c); not part of a decimal or fraction. */
export const INTEGER_EQUATION = /(?<![\d.])(\d+) ([-+×÷]) (\d+) = (\d+)(?!\d|\.\d|\/)/g;

/** The `a op b` of every integer equation in the references of `rows`: what the drills must not show. */
export function referenceEquations(rows: readonly Row[]): Set<string> {
  const keys = new Set<string>();
  for (const row of rows) {
    const ref = row.extra_info.reference;
    if (typeof ref !== "string") continue;
    for (const m of ref.matchAll(INTEGER_EQUATION)) keys.add(`${Number(m[1])} ${m[2]} ${Number(m[3])}`);
  }
  return keys;
}

/** `docs` documents of `perDoc` drill lines each, none of whose `a op b` is in `exclude`. */
export function arithmeticDocs(
  docs: number,
  rng: Rng,
  exclude: ReadonlySet<string>,
  perDoc = 16,
  maxDigits = 4,
  format: DrillFormat = "plain",
): string[] {
  const ops = format === "plain" ? ARITH_OPS : SCRATCHPAD_OPS;
  const out: string[] = [];
  for (let d = 0; d < docs; d++) {
    const lines: string[] = [];
    while (lines.length < perDoc) {
      const e = drawEquation(rng, ops[rng.int(ops.length)]!, maxDigits);
      if (!exclude.has(equationKey(e))) lines.push(format === "plain" ? equationText(e) : scratchpadText(e));
    }
    out.push(lines.join("\n"));
  }
  return out;
}

/** `perOp` equations of each operator whose keys are in neither `exclude` nor each other. */
export function heldOutEquations(
  rng: Rng,
  exclude: ReadonlySet<string>,
  perOp: number,
  maxDigits = 4,
): Equation[] {
  const seen = new Set<string>();
  const out: Equation[] = [];
  for (const op of ARITH_OPS) {
    let n = 0;
    for (let tries = 0; n < perOp; tries++) {
      if (tries > perOp * 1000)
        throw new Error(
          `only ${n} distinct unseen ${op} equations of at most ${maxDigits} digits (asked ${perOp})`,
        );
      const e = drawEquation(rng, op, maxDigits);
      const key = equationKey(e);
      if (exclude.has(key) || seen.has(key)) continue;
      seen.add(key);
      out.push(e);
      n++;
    }
  }
  return out;
}

export interface ArithmeticAccuracy {
  n: number;
  right: number;
  /** Share right per operator. */
  byOp: Record<string, number>;
  all: number;
}

/** Whether a completion of `a op b =` starts with the right result (` 54.` for 91 - 37). */
export function completesEquation(completion: string, e: Equation): boolean {
  const got = /^\s*(\d+)(?!\d|\.\d)/.exec(completion);
  return got !== null && Number(got[1]) === e.result;
}

/** Greedy completion of `a op b =` for each equation; right when the first number written is the result. */
export function arithmeticAccuracy(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  equations: readonly Equation[],
  batch = 64,
  format: DrillFormat = "plain",
): ArithmeticAccuracy {
  const counts: Record<string, { n: number; right: number }> = {};
  let right = 0;
  for (let i = 0; i < equations.length; i += batch) {
    const chunk = equations.slice(i, i + batch);
    const prompt = (e: Equation) => (format === "plain" ? `${equationKey(e)} =` : `${equationKey(e)}:`);
    const prompts = chunk.map((e) => tokenizer.encode(prompt(e), { addSpecialTokens: false }));
    const gens = generate(model, prompts, {
      maxNewTokens: format === "plain" ? 8 : 80,
      temperature: 0,
      stop: [".", "\n"],
      decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
    });
    chunk.forEach((e, j) => {
      const text = gens[j]!.text ?? "";
      const ok = format === "plain" ? completesEquation(text, e) : scratchpadResult(text) === e.result;
      const c = counts[e.op] ?? { n: 0, right: 0 };
      counts[e.op] = c;
      c.n++;
      if (ok) {
        c.right++;
        right++;
      }
    });
  }
  const byOp: Record<string, number> = {};
  for (const [op, c] of Object.entries(counts)) byOp[op] = Math.round((c.right / c.n) * 1000) / 1000;
  return {
    n: equations.length,
    right,
    byOp,
    all: Math.round((right / Math.max(1, equations.length)) * 1000) / 1000,
  };
}

/**
 * The same equation with its column work written out, right to left, carries and borrows included
 * (sums and differences only): `478 + 356: 8 + 6 = 14, 7 + 5 + 1 = 13, 4 + 3 + 1 = 8, so 478 + 356 = 834.`
 * and `91 - 37: 11 - 7 = 4, 8 - 3 = 5, so 91 - 37 = 54.` Each step is a one-digit fact.
 */
export function scratchpadText(e: Equation): string {
  if (e.op !== "+" && e.op !== "-") throw new Error(`scratchpad: only + and - (got ${e.op})`);
  const da = String(e.a).split("").reverse().map(Number);
  const db = String(e.b).split("").reverse().map(Number);
  const steps: string[] = [];
  let carry = 0;
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    if (e.op === "+") {
      const terms = [x, ...(i < db.length ? [y] : []), ...(carry ? [carry] : [])];
      const sum = terms.reduce((s, t) => s + t, 0);
      steps.push(`${terms.join(" + ")} = ${sum}`);
      carry = sum >= 10 ? 1 : 0;
    } else {
      const top = x - carry;
      const borrow = top < y ? 1 : 0;
      const from = top + 10 * borrow;
      steps.push(i < db.length ? `${from} - ${y} = ${from - y}` : `${from} = ${from}`);
      carry = borrow;
    }
  }
  return `${equationKey(e)}: ${steps.join(", ")}, so ${equationText(e)}`;
}

/** The result a scratchpad completion ends on (`..., so a op b = N.`), or null. */
export function scratchpadResult(completion: string): number | null {
  const m = /so \d+ [-+] \d+ = (\d+)(?!\d)/.exec(completion);
  return m ? Number(m[1]) : null;
}
