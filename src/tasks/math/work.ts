// A worked solution under construction. Every step is one line `<label>: <expr> = <value>.`, computed
// exactly with Frac, so the test suite can re-evaluate each line and check the chain of results.
import { Frac } from "./fraction.js";

export type Op = "+" | "-" | "×" | "÷";
export type AnswerType = "integer" | "decimal" | "fraction" | "percent";

export class Work {
  readonly lines: string[] = [];

  /** `fractions`: show non-integers as a/b instead of decimals (for fraction-answer problems). */
  constructor(private readonly fractions = false) {}

  show(x: Frac): string {
    if (x.isInteger()) return x.toString();
    return this.fractions ? x.toFractionString() : x.toString();
  }

  /** An operand: non-integers in parentheses so `a ÷ (1/3)` reads and evaluates unambiguously. */
  private operand(x: Frac): string {
    const s = this.show(x);
    return x.isInteger() && x.num >= 0n ? s : `(${s})`;
  }

  op(label: string, a: Frac, op: Op, b: Frac): Frac {
    const r = op === "+" ? a.add(b) : op === "-" ? a.sub(b) : op === "×" ? a.mul(b) : a.div(b);
    this.lines.push(`${capitalize(label)}: ${this.operand(a)} ${op} ${this.operand(b)} = ${this.show(r)}.`);
    return r;
  }

  sum(label: string, terms: Frac[]): Frac {
    const r = terms.reduce((acc, t) => acc.add(t), new Frac(0));
    this.lines.push(
      `${capitalize(label)}: ${terms.map((t) => this.operand(t)).join(" + ")} = ${this.show(r)}.`,
    );
    return r;
  }

  get steps(): number {
    return this.lines.length;
  }
}

/** The normalized answer string stored as ground truth. */
export function answerString(value: Frac, type: AnswerType): string {
  switch (type) {
    case "integer":
    case "decimal":
      return value.toString();
    case "fraction":
      return value.toFractionString();
    case "percent":
      return `${value.toString()}%`;
  }
}

/** The LaTeX inside \boxed{}. */
export function boxedAnswer(value: Frac, type: AnswerType): string {
  if (type === "fraction" && !value.isInteger()) {
    const neg = value.num < 0n;
    return `${neg ? "-" : ""}\\frac{${neg ? -value.num : value.num}}{${value.den}}`;
  }
  if (type === "percent") return `${value.toString()}\\%`;
  return value.toString();
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
