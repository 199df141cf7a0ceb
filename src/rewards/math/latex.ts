// Converts a normalized LaTeX-ish answer into a mathjs expression string, or null when it holds
// something this converter does not understand (then only exact/numeric comparison applies).
//
// - `\frac{a}{b}` -> ((a)/(b)), `\sqrt{a}` -> sqrt(a), `\sqrt[n]{a}` -> nthRoot(a, n), `{}` -> ().
// - `\cdot`, `\times` -> *, `\div` -> /, `\pi` -> pi, `\infty` -> Infinity, `\ln` -> log, `\log` -> log10.
// - Letters are single-letter variables, so `2xy` is 2*x*y (LaTeX has no multi-letter variables);
//   `e` is Euler's number and `i` the imaginary unit. Greek letters become variables `g_alpha`...
// - Relations (<, >, \le, ...), `|x|` and `%` give null: probing cannot compare them soundly.

const FUNCTIONS: Record<string, string> = {
  sin: "sin",
  cos: "cos",
  tan: "tan",
  sec: "sec",
  csc: "csc",
  cot: "cot",
  arcsin: "asin",
  arccos: "acos",
  arctan: "atan",
  sinh: "sinh",
  cosh: "cosh",
  tanh: "tanh",
  ln: "log",
  log: "log10",
  exp: "exp",
};
/** Plain-text names models write without a backslash. */
const PLAIN_NAMES: Record<string, string> = { ...FUNCTIONS, sqrt: "sqrt", pi: "pi", abs: "abs" };
const SYMBOLS: Record<string, string> = {
  cdot: "*",
  times: "*",
  ast: "*",
  div: "/",
  pi: "pi",
  infty: "Infinity",
  infinity: "Infinity",
};
const GREEK = new Set([
  "alpha",
  "beta",
  "gamma",
  "delta",
  "epsilon",
  "varepsilon",
  "zeta",
  "eta",
  "theta",
  "vartheta",
  "iota",
  "kappa",
  "lambda",
  "mu",
  "nu",
  "xi",
  "rho",
  "sigma",
  "tau",
  "upsilon",
  "phi",
  "varphi",
  "chi",
  "psi",
  "omega",
  "Gamma",
  "Delta",
  "Theta",
  "Lambda",
  "Xi",
  "Sigma",
  "Phi",
  "Psi",
  "Omega",
]);

class Unsupported extends Error {}

export function latexToExpression(latex: string): string | null {
  if (/[<>|%=]|\\(?:le|ge|leq|geq|neq|ne|lt|gt|approx|pm|mp|cup|cap)(?![a-zA-Z])/.test(latex)) return null;
  try {
    const out = convert(latex.replace(/\*\*/g, "^"));
    return out.trim() === "" ? null : out;
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

function convert(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "\\") {
      const m = /^\\([a-zA-Z]+|.)/.exec(s.slice(i));
      if (!m) throw new Unsupported();
      const name = m[1]!;
      i += m[0].length;
      if (name === "frac" || name === "binom") {
        const a = readGroup(s, i);
        const b = readGroup(s, a.end);
        i = b.end;
        out += name === "frac" ? `((${a.expr})/(${b.expr}))` : ` combinations(${a.expr}, ${b.expr}) `;
      } else if (name === "sqrt") {
        let index: string | null = null;
        while (s[i] === " ") i++;
        if (s[i] === "[") {
          const close = s.indexOf("]", i);
          if (close < 0) throw new Unsupported();
          index = convert(s.slice(i + 1, close));
          i = close + 1;
        }
        const a = readGroup(s, i);
        i = a.end;
        out += index === null ? ` sqrt(${a.expr}) ` : ` nthRoot(${a.expr}, ${index}) `;
      } else if (name in FUNCTIONS) {
        let power: string | null = null; // `\sin^2 x` is (sin x)^2
        while (s[i] === " ") i++;
        if (s[i] === "^") {
          const p = readGroup(s, i + 1);
          power = p.expr;
          i = p.end;
        }
        const arg = readFunctionArgument(s, i);
        i = arg.end;
        const call = `${FUNCTIONS[name]}(${arg.expr})`;
        out += power === null ? ` ${call} ` : ` (${call})^(${power}) `;
      } else if (name in SYMBOLS) {
        out += ` ${SYMBOLS[name]} `;
      } else if (GREEK.has(name)) {
        out += ` g_${name} `;
      } else {
        throw new Unsupported();
      }
    } else if (/[a-zA-Z]/.test(c)) {
      const run = /^[a-zA-Z]+/.exec(s.slice(i))![0];
      i += run.length;
      const lower = run.toLowerCase();
      if (lower in PLAIN_NAMES && PLAIN_NAMES[lower] !== undefined) {
        const mapped = PLAIN_NAMES[lower]!;
        if (mapped === "pi") out += " pi ";
        else {
          const arg = readFunctionArgument(s, i);
          i = arg.end;
          out += ` ${mapped}(${arg.expr}) `;
        }
      } else {
        // Single-letter variables multiplied together; `x(` must not read as a call of x.
        out += ` ${run.split("").join(" * ")} `;
        if (s[i] === "(" || s[i] === "{") out += "*";
      }
    } else if (c === "_") {
      const sub = readGroup(s, i + 1);
      if (!/^\s*\w+\s*$/.test(sub.expr)) throw new Unsupported();
      out = `${out.trimEnd()}_${sub.expr.trim()} `;
      i = sub.end;
    } else if (c === "{" || c === "[") {
      out += "(";
      i++;
    } else if (c === "}" || c === "]") {
      out += ")";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** A `{...}` group or a single character/digit (as in `\frac12` or `x^2`). */
function readGroup(s: string, i: number): { expr: string; end: number } {
  while (s[i] === " ") i++;
  if (s[i] === "{") {
    const end = closingBrace(s, i);
    return { expr: convert(s.slice(i + 1, end)), end: end + 1 };
  }
  if (i >= s.length) throw new Unsupported();
  if (s[i] === "\\") {
    const m = /^\\[a-zA-Z]+/.exec(s.slice(i));
    if (!m) throw new Unsupported();
    return { expr: convert(m[0]), end: i + m[0].length };
  }
  return { expr: convert(s[i]!), end: i + 1 };
}

/** The argument of `\sin`, `sqrt`...: a parenthesized or braced group, or the next token (`\sin x`). */
function readFunctionArgument(s: string, i: number): { expr: string; end: number } {
  while (s[i] === " ") i++;
  if (s[i] === "(") {
    const end = closingParen(s, i);
    return { expr: convert(s.slice(i + 1, end)), end: end + 1 };
  }
  if (s[i] === "{") return readGroup(s, i);
  const token = /^(?:\d+(?:\.\d+)?|[a-zA-Z]|\\[a-zA-Z]+)/.exec(s.slice(i));
  if (!token) throw new Unsupported();
  return { expr: convert(token[0]), end: i + token[0].length };
}

function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "{") depth++;
    else if (s[i] === "}" && --depth === 0) return i;
  }
  throw new Unsupported();
}

function closingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0) return i;
  }
  throw new Unsupported();
}
