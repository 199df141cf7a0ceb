// Normalizes an answer string so that notational noise does not decide correctness.
// The result is still LaTeX-ish text (e.g. `\frac{3}{4}`, `(1,2]`, `\{1,2\}`); `answersEquivalent`
// reads numbers, fractions and expressions out of it. Normalizing twice changes nothing.
import { extractBoxed, matchingBrace } from "./extract.js";

/** Units dropped when they trail a number ("5 cm", "12 dollars"). Longer words are dropped too. */
const SHORT_UNITS = new Set([
  "m",
  "cm",
  "mm",
  "km",
  "g",
  "kg",
  "mg",
  "s",
  "ms",
  "h",
  "hr",
  "hrs",
  "min",
  "l",
  "ml",
  "in",
  "ft",
  "yd",
  "mi",
  "lb",
  "lbs",
  "oz",
  "mph",
  "sq",
  "am",
  "pm",
]);
/** Words that look like units but are mathematics. */
const MATH_WORDS = new Set([
  "pi",
  "sqrt",
  "sin",
  "cos",
  "tan",
  "sec",
  "csc",
  "cot",
  "log",
  "ln",
  "exp",
  "infty",
  "inf",
  "or",
  "and",
  "i",
  "e",
]);

const TEXT_COMMANDS = /\\(?:text|textbf|textit|textrm|mathrm|mathbf|mathit|mbox|operatorname)\s*\{/g;

export function normalizeAnswer(raw: string): string {
  let s = raw.trim();
  const boxed = /^\\(?:boxed|fbox)\s*\{/.test(s) ? extractBoxed(s) : null;
  if (boxed !== null) s = boxed;
  s = s
    .replace(/\\\$/g, "")
    .replace(/\$/g, "")
    .replace(/\\[()[\]]/g, "")
    .replace(/\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])/g, "")
    .replace(/\\(?:displaystyle|limits)(?![a-zA-Z])/g, "")
    .replace(/\\(?:[dt]frac)(?![a-zA-Z])/g, "\\frac")
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\^\s*\\degree|\\degree/g, "")
    .replace(/\\%/g, "%")
    .replace(/\s*percent\b/gi, "%")
    .replace(/\{,\}/g, ",")
    .replace(/\\(?:[,;:! ]|quad|qquad)(?![a-zA-Z])|~/g, " ");
  s = unwrapTextCommands(s);
  s = stripVariablePrefix(s);
  s = stripTrailingUnits(s);
  s = s.replace(/[\s.]+$/, "").replace(/\\\.$/, "");
  s = s
    .replace(/\\frac\s*(\d)\s*(\d)/g, "\\frac{$1}{$2}")
    .replace(/\\frac\s*\{([^{}]*)\}\s*(\d)/g, "\\frac{$1}{$2}")
    .replace(/\\frac\s*(\d)\s*\{/g, "\\frac{$1}{")
    .replace(/\\sqrt\s*(\d+|[a-zA-Z])(?![a-zA-Z])/g, "\\sqrt{$1}");
  s = mixedNumberToFraction(s);
  // Drop spaces, but keep one where a command name meets a letter (`\pi r`), where it is meaningful.
  s = s
    .replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z])/g, "$1\u0001")
    .replace(/\s+/g, "")
    .replace(/\u0001/g, " ");
  if (/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$/.test(s)) s = s.replace(/,/g, ""); // 1,234 but not (1,2)
  s = s.replace(/^\+/, "").replace(/\.$/, "");
  return s;
}

/** `\text{cm}` after a number is a unit and goes; other `\text{...}` keep their content. */
function unwrapTextCommands(s: string): string {
  for (let guard = 0; guard < 100; guard++) {
    TEXT_COMMANDS.lastIndex = 0;
    const m = TEXT_COMMANDS.exec(s);
    if (!m) return s;
    const open = m.index + m[0].length - 1;
    const close = matchingBrace(s, open);
    if (close < 0) return s;
    s = `${s.slice(0, m.index)} ${s.slice(open + 1, close)} ${s.slice(close + 1)}`;
  }
  return s;
}

/** `x = 5` -> `5` (a single-letter or Greek left-hand side and a single `=`). */
function stripVariablePrefix(s: string): string {
  const m = /^\s*(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?\w+\}?)?\s*(?:=|\\in)\s*/.exec(s);
  if (!m || s.split("=").length > 2) return s;
  return s.slice(m[0].length);
}

/** "12 dollars", "5 cm^2", "3 meters per second" -> the number. Only after something numeric. */
function stripTrailingUnits(s: string): string {
  const words = s.trim().split(/\s+/);
  let end = words.length;
  while (end > 1) {
    const word = words[end - 1]!.replace(/[.,;!]+$/, "").replace(/\^\{?\d\}?$/, "");
    const lower = word.toLowerCase();
    const isUnit =
      /^[a-zA-Z]+(?:\/[a-zA-Z]+)?$/.test(word) &&
      !MATH_WORDS.has(lower) &&
      (word.length > 2 || SHORT_UNITS.has(lower) || lower === "per");
    if (!isUnit) break;
    end--;
  }
  if (end === words.length) return s;
  const head = words.slice(0, end).join(" ");
  return /[\d}]\s*%?$/.test(head) ? head : s;
}

/** `1 1/2` and `1\frac{1}{2}` (a whole number and a proper fraction) -> `\frac{3}{2}`. */
function mixedNumberToFraction(s: string): string {
  const m =
    /^\s*([+-]?)(\d+)\s+(\d+)\s*\/\s*(\d+)\s*$/.exec(s) ??
    /^\s*([+-]?)(\d+)\s*\\frac\{\s*(\d+)\s*\}\{\s*(\d+)\s*\}\s*$/.exec(s);
  if (!m) return s;
  const whole = BigInt(m[2]!);
  const num = BigInt(m[3]!);
  const den = BigInt(m[4]!);
  if (den === 0n || num >= den) return s;
  return `${m[1] === "-" ? "-" : ""}\\frac{${whole * den + num}}{${den}}`;
}
