// Reads plain numbers out of normalized answers: decimals, fractions (`3/4`, `\frac{3}{4}`), percents.
// Decimals and fractions also get an exact rational value (BigInt), so `3/4` equals `0.75` exactly.

export interface Rational {
  num: bigint;
  den: bigint; // > 0
}

export interface ParsedNumber {
  value: number;
  /** Exact value when the text is a decimal without exponent or a fraction of such decimals. */
  exact: Rational | null;
  /** Written as a fraction (`a/b`, `\frac{a}{b}`). */
  fraction: boolean;
  /** Written with a trailing `%`; `value` and `exact` are the number as written (25 for 25%). */
  percent: boolean;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const SLASH_FRACTION = /^([+-]?)(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/;
const LATEX_FRACTION = /^([+-]?)\\frac\{([+-]?\d+(?:\.\d+)?)\}\{([+-]?\d+(?:\.\d+)?)\}$/;

export function parseNumber(text: string): ParsedNumber | null {
  let s = text;
  const percent = s.endsWith("%");
  if (percent) s = s.slice(0, -1);
  if (DECIMAL.test(s)) {
    const value = Number(s);
    if (!Number.isFinite(value)) return null;
    return { value, exact: decimalToRational(s), fraction: false, percent };
  }
  const m = SLASH_FRACTION.exec(s) ?? LATEX_FRACTION.exec(s);
  if (!m) return null;
  const top = decimalToRational(m[2]!);
  const bottom = decimalToRational(m[3]!);
  const value = Number(m[2]) / Number(m[3]);
  if (!Number.isFinite(value)) return null;
  const sign = m[1] === "-" ? -1n : 1n;
  const exact = top && bottom && bottom.num !== 0n ? divide(top, bottom, sign) : null;
  return { value: m[1] === "-" ? -value : value, exact, fraction: true, percent };
}

/** Exact value of a decimal literal like `-12.50`; null with an exponent. */
export function decimalToRational(s: string): Rational | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === "" && !m[3])) return null;
  const digits = `${m[2] || "0"}${m[3] ?? ""}`;
  let num = BigInt(digits);
  if (m[1] === "-") num = -num;
  return reduce({ num, den: 10n ** BigInt((m[3] ?? "").length) });
}

function divide(a: Rational, b: Rational, sign: bigint): Rational {
  let num = a.num * b.den * sign;
  let den = a.den * b.num;
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  return reduce({ num, den });
}

export function reduce(r: Rational): Rational {
  const g = gcd(r.num < 0n ? -r.num : r.num, r.den);
  return g > 1n ? { num: r.num / g, den: r.den / g } : r;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

export function rationalsEqual(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}

/** Relative tolerance: |a-b| <= relTol * max(|a|,|b|), with a 1e-12 absolute floor for zeros. */
export function closeEnough(a: number, b: number, relTol: number): boolean {
  if (a === b) return true;
  const diff = Math.abs(a - b);
  return diff <= relTol * Math.max(Math.abs(a), Math.abs(b)) || diff < 1e-12;
}
