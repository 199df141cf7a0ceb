// Pulls the final answer out of a model's response. Each extractor looks for one convention; the
// configured list is tried in order and the first that finds something wins.

export const MATH_EXTRACTORS = ["boxed", "hash", "answer_is", "last_number"] as const;
export type MathExtractor = (typeof MATH_EXTRACTORS)[number];

export interface ExtractedAnswer {
  extractor: MathExtractor;
  answer: string;
}

export function extractAnswer(
  text: string,
  extractors: readonly MathExtractor[] = MATH_EXTRACTORS,
): ExtractedAnswer | null {
  for (const extractor of extractors) {
    const answer = EXTRACTORS[extractor](text);
    if (answer !== null && answer.trim() !== "") return { extractor, answer: answer.trim() };
  }
  return null;
}

const EXTRACTORS: Record<MathExtractor, (text: string) => string | null> = {
  boxed: extractBoxed,
  hash: extractHash,
  answer_is: extractAnswerIs,
  last_number: extractLastNumber,
};

/** Index of the `}` closing the `{` at `open`, or -1 when the braces never balance. */
export function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++; // `\{` and `\}` are literal braces, not grouping
    } else if (c === "{") {
      depth++;
    } else if (c === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Content of the last `\boxed{...}` or `\fbox{...}` with balanced braces (also `\boxed 5`). */
export function extractBoxed(text: string): string | null {
  const re = /\\(?:boxed|fbox)(\s*)/g;
  let found: string | null = null;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[0].length;
    if (text[start] === "{") {
      const end = matchingBrace(text, start);
      if (end > start) found = text.slice(start + 1, end);
    } else {
      const bare = /^[^\s$]+/.exec(text.slice(start)); // `\boxed 5`
      if (bare && m[1] !== "") found = bare[0];
    }
  }
  return found;
}

/** GSM8K style: the rest of the line after the last `####`. */
function extractHash(text: string): string | null {
  const i = text.lastIndexOf("####");
  if (i < 0) return null;
  const line = text.slice(i + 4).split("\n")[0]!;
  return stripSentenceEnd(line);
}

/** "The (final) answer is X" / "Final answer: X": the first math span, or the rest of the sentence. */
function extractAnswerIs(text: string): string | null {
  const re = /(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*:?|:)\s*/gi;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) last = m;
  if (!last) return null;
  const rest = text.slice(last.index + last[0].length);
  // The answer's own line (the first non-empty one): a later \boxed{} belongs to some other claim.
  const answerLine = rest.split("\n").find((l) => l.trim() !== "") ?? "";
  const boxed = extractBoxed(answerLine);
  if (boxed !== null) return boxed;
  const math = /^\s*(\$\$?|\\\(|\\\[)([\s\S]*?)(\$\$?|\\\)|\\\])/.exec(rest);
  if (math) return math[2]!;
  // Up to the end of the line or of the sentence (a period followed by a space, not a decimal point).
  const line = rest.split("\n")[0]!;
  const sentence = /^(.*?)(?:\.\s|$)/.exec(line)![1]!;
  return stripSentenceEnd(sentence);
}

const NUMBER_RE = /-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*\/\s*\d+)?|-?\.\d+/g;

/** The last number in the text (integers, decimals, `1,234`, `3/4`). */
function extractLastNumber(text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(NUMBER_RE)) last = m[0];
  return last;
}

function stripSentenceEnd(s: string): string {
  return s.replace(/[\s.;!]+$/, "").trim();
}
