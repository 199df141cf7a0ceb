// The programmatic rubric that labels omni-tiny-judge's training and test pairs. It scores one answer to
// a writing prompt in [0, 1]: a weighted mean of three quality checks, multiplied by three gates that
// punish the classic failure modes (each gate is 0.4 + 0.6 x its check, so a total failure keeps 40%).
//
//   quality
//     keywords   (0.35) fraction of the prompt's required words the answer uses (inflections allowed:
//                       a word matches when it starts with the keyword's stem, the keyword minus a
//                       final e/y/s, at least 3 letters);
//     fluency    (0.35) mean per-word log-prob under an interpolated word-bigram model of the human
//                       reference corpus (the writing train split's references), mapped linearly from
//                       [-9, -5] nats to [0, 1];
//     grammar    (0.30) proxies: starts with a capital letter or a quote, ends with . ! ? or a closing
//                       quote, no word doubled back to back ("the the"), balanced quotes and brackets,
//                       mostly letters (each 1/5);
//   gates
//     repetition        1 - the share of repeated word bigrams (and few distinct words);
//     length            1 inside [4, 40] words, falling linearly to 0 at 0 and at 80 words;
//     no copy           1 - the share of the answer's word trigrams that also occur in the prompt.
//
// An empty answer scores 0. Two answers whose scores differ by less than TIE_MARGIN are a tie ([[C]]);
// otherwise the higher one wins.
import type { Verdict } from "../rewards/judge/pairwise-prompt.js";
import { keywordCoverage, words } from "../rewards/keywords.js";

export const TIE_MARGIN = 0.05;

export const WEIGHTS = {
  keywords: 0.35,
  fluency: 0.35,
  grammar: 0.3,
} as const;

export const GATES = ["repetition", "length", "noCopy"] as const;

export type Check = keyof typeof WEIGHTS | (typeof GATES)[number];
export const CHECKS: readonly Check[] = ["keywords", "fluency", "grammar", "repetition", "length", "noCopy"];
const gate = (x: number) => 0.4 + 0.6 * x;

export interface RubricScore {
  total: number;
  checks: Record<Check, number>;
}

/**
 * A word-bigram language model fitted on a corpus of human sentences, interpolated with an add-one
 * unigram model: p(w | v) = 0.7 c(v w) / c(v) + 0.3 (c(w) + 1) / (N + V).
 */
export class BigramModel {
  private readonly unigrams = new Map<string, number>();
  private readonly bigrams = new Map<string, number>();
  private readonly total: number;
  private readonly vocab: number;

  constructor(sentences: readonly string[]) {
    let total = 0;
    for (const s of sentences) {
      const ws = ["<s>", ...words(s), "</s>"];
      for (let i = 0; i < ws.length; i++) {
        this.unigrams.set(ws[i]!, (this.unigrams.get(ws[i]!) ?? 0) + 1);
        total++;
        if (i > 0) {
          const key = `${ws[i - 1]} ${ws[i]}`;
          this.bigrams.set(key, (this.bigrams.get(key) ?? 0) + 1);
        }
      }
    }
    this.total = total;
    this.vocab = this.unigrams.size + 1; // + unknown
  }

  /** Mean log p(w_i | w_{i-1}) over the words of `text` and the end marker (nats). */
  meanLogProb(text: string): number {
    const ws = ["<s>", ...words(text), "</s>"];
    let sum = 0;
    for (let i = 1; i < ws.length; i++) {
      const prev = this.unigrams.get(ws[i - 1]!) ?? 0;
      const pair = this.bigrams.get(`${ws[i - 1]} ${ws[i]}`) ?? 0;
      const uni = ((this.unigrams.get(ws[i]!) ?? 0) + 1) / (this.total + this.vocab);
      sum += Math.log((prev > 0 ? (0.7 * pair) / prev : 0) + 0.3 * uni);
    }
    return sum / (ws.length - 1);
  }
}

export interface RubricContext {
  prompt: string;
  keywords: readonly string[];
  lm: BigramModel;
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

export function grammarProxy(answer: string): number {
  const t = answer.trim();
  const ws = words(t);
  let s = 0;
  if (/^["'(A-Z0-9]/.test(t)) s++;
  if (/[.!?]["')]?$/.test(t)) s++;
  if (!ws.some((w, i) => i > 0 && w === ws[i - 1])) s++;
  const quotes = (t.match(/"/g) ?? []).length;
  const opens = (t.match(/\(/g) ?? []).length;
  const closes = (t.match(/\)/g) ?? []).length;
  if (quotes % 2 === 0 && opens === closes) s++;
  const letters = (t.match(/[A-Za-z]/g) ?? []).length;
  if (letters / Math.max(1, t.replace(/\s/g, "").length) >= 0.7) s++;
  return s / 5;
}

export function repetitionScore(answer: string): number {
  const ws = words(answer);
  if (ws.length < 3) return 1;
  const seen = new Set<string>();
  let repeated = 0;
  for (let i = 1; i < ws.length; i++) {
    const b = `${ws[i - 1]} ${ws[i]}`;
    if (seen.has(b)) repeated++;
    seen.add(b);
  }
  // a handful of unique words used over and over is repetition too
  const distinct = new Set(ws).size / ws.length;
  return clamp01(Math.min(1 - repeated / (ws.length - 1), distinct < 0.5 ? distinct * 2 : 1));
}

export function lengthScore(answer: string): number {
  const n = words(answer).length;
  if (n >= 4 && n <= 40) return 1;
  if (n < 4) return n / 4;
  return clamp01((80 - n) / 40);
}

export function noCopyScore(answer: string, prompt: string): number {
  const ws = words(answer);
  if (ws.length < 3) return words(prompt).join(" ").includes(ws.join(" ")) && ws.length > 0 ? 0.5 : 1;
  const pw = words(prompt);
  const promptTri = new Set<string>();
  for (let i = 2; i < pw.length; i++) promptTri.add(`${pw[i - 2]} ${pw[i - 1]} ${pw[i]}`);
  let copied = 0;
  for (let i = 2; i < ws.length; i++) if (promptTri.has(`${ws[i - 2]} ${ws[i - 1]} ${ws[i]}`)) copied++;
  return 1 - copied / (ws.length - 2);
}

export function fluencyScore(answer: string, lm: BigramModel): number {
  if (words(answer).length === 0) return 0;
  return clamp01((lm.meanLogProb(answer) + 9) / 4);
}

export function scoreAnswer(answer: string, ctx: RubricContext): RubricScore {
  const empty = words(answer).length === 0;
  const checks: Record<Check, number> = empty
    ? { keywords: 0, fluency: 0, grammar: 0, repetition: 0, length: 0, noCopy: 0 }
    : {
        keywords: keywordCoverage(answer, ctx.keywords),
        fluency: fluencyScore(answer, ctx.lm),
        grammar: grammarProxy(answer),
        repetition: repetitionScore(answer),
        length: lengthScore(answer),
        noCopy: noCopyScore(answer, ctx.prompt),
      };
  let total = 0;
  for (const k of Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]) total += WEIGHTS[k] * checks[k];
  for (const g of GATES) total *= gate(checks[g]);
  return { total: empty ? 0 : total, checks };
}

export function rubricVerdict(a: RubricScore, b: RubricScore): Verdict {
  return verdictOfGap(a.total - b.total);
}

/** The verdict for A's total minus B's: a tie within TIE_MARGIN, else the higher one. */
export function verdictOfGap(gap: number): Verdict {
  if (Math.abs(gap) < TIE_MARGIN) return "C";
  return gap > 0 ? "A" : "B";
}

const REASONS: Record<Check, [string, string]> = {
  keywords: ["uses the required words", "misses required words"],
  fluency: ["reads more naturally", "reads less naturally"],
  grammar: ["is a well-formed sentence", "is not a well-formed sentence"],
  repetition: ["does not repeat itself", "repeats itself"],
  length: ["has a reasonable length", "has the wrong length"],
  noCopy: ["is its own writing", "copies the question"],
};

/** The check that separates the winner from the loser most (a quality check by its weight, a gate by 0.4), or "tie". */
export function decidingCheck(a: RubricScore, b: RubricScore): Check | "tie" {
  const v = rubricVerdict(a, b);
  if (v === "C") return "tie";
  const [win, lose] = v === "A" ? [a, b] : [b, a];
  let best: Check = "keywords";
  let gap = Number.NEGATIVE_INFINITY;
  for (const k of CHECKS) {
    const w = k in WEIGHTS ? WEIGHTS[k as keyof typeof WEIGHTS] : 0.4;
    const g = w * (win.checks[k] - lose.checks[k]);
    if (g > gap) {
      gap = g;
      best = k;
    }
  }
  return best;
}

/** An answer's rubric total in hundredths, as two digits ("07", "62"; 1.0 is written "99"). */
export function scoreDigits(s: RubricScore): string {
  return String(Math.min(99, Math.round(100 * s.total))).padStart(2, "0");
}

/**
 * The scored reply: both answers' rubric totals in hundredths, then the verdict reply, e.g.
 * `A 62, B 48. A uses the required words; B misses required words. [[A]]`. The totals are asked of
 * each answer on its own, a denser target than the verdict alone (train-judge `--reply scored`).
 */
export function scoredReply(a: RubricScore, b: RubricScore): string {
  return `A ${scoreDigits(a)}, B ${scoreDigits(b)}. ${verdictReply(a, b)}`;
}

/** The judge's target reply: the check that separates the answers most, then the verdict. */
export function verdictReply(a: RubricScore, b: RubricScore): string {
  const best = decidingCheck(a, b);
  if (best === "tie") return "Both answers are about equally good. [[C]]";
  const v = rubricVerdict(a, b);
  const lose = v === "A" ? b : a;
  const other = v === "A" ? "B" : "A";
  if (lose.total === 0) return `${v} answers the question; ${other} is empty. [[${v}]]`;
  return `${v} ${REASONS[best][0]}; ${other} ${REASONS[best][1]}. [[${v}]]`;
}
