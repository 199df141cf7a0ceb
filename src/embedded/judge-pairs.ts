// Pairwise judge examples for omni-tiny-judge, labelled by the rubric (judge-rubric.ts).
// For each writing prompt, candidate answers of graded quality are made from its reference sentence:
// the reference itself, a keyword swapped out, shuffled words, a cut-off half, the sentence repeated,
// a word loop, the prompt copied, another prompt's reference, an over-long run of sentences, a
// lower-cased unpunctuated copy, and the canaries ("", ":", "Thought process:"). Pairs are drawn at
// several quality gaps (tie < 0.05 <= small < 0.15 <= medium < 0.35 <= large), half of them against
// the reference (the way the writing reward uses the judge), and shown in both orders. policyPairs adds
// the policy's own answers against the reference (policy-answers.ts).
import type { Rng } from "../engine/rng.js";
import type { ChatMessage } from "../models/chat-template.js";
import { pairwiseMessages, type Verdict } from "../rewards/judge/pairwise-prompt.js";
import { promptText, type Row } from "../tasks/schema.js";
import { continueStart } from "../tasks/writing/generate.js";
import {
  BigramModel,
  type RubricContext,
  type RubricScore,
  rubricVerdict,
  scoreAnswer,
  scoredReply,
  verdictReply,
} from "./judge-rubric.js";

/** The embedded judge's system prompt (short: every token of it is paid on every judge call). */
export const EMBEDDED_JUDGE_SYSTEM_PROMPT =
  "Compare the two answers to the question. Give a short reason, then [[A]], [[B]] or [[C]] for a tie.";

export const CANARIES = ["", ":", "Thought process:"] as const;

export type Band = "tie" | "small" | "medium" | "large";

export function bandOf(gap: number): Band {
  const g = Math.abs(gap);
  return g < 0.05 ? "tie" : g < 0.15 ? "small" : g < 0.35 ? "medium" : "large";
}

export interface Candidate {
  kind: string;
  text: string;
}

export interface JudgePair {
  question: string;
  /** The prompt's required words (the rubric's keyword check). */
  keywords: readonly string[];
  a: Candidate;
  b: Candidate;
  scoreA: RubricScore;
  scoreB: RubricScore;
  verdict: Verdict;
  band: Band;
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

export function writingInfo(row: Row): { question: string; reference: string; keywords: string[] } {
  const gt = row.reward_model.ground_truth as { reference?: string; keywords?: string[] };
  return {
    question: promptText(row),
    reference: gt.reference ?? String(row.extra_info.reference ?? ""),
    keywords: Array.isArray(gt.keywords) ? gt.keywords : [],
  };
}

/** Candidate answers of graded quality for one prompt; `others` are other prompts' references. */
export function candidates(row: Row, others: readonly string[], rng: Rng): Candidate[] {
  const { question, reference: ref, keywords } = writingInfo(row);
  const ws = ref.replace(/[.!?]+$/, "").split(/\s+/);
  const other = () => rng.pick(others);
  const out: Candidate[] = [{ kind: "reference", text: ref }];
  if (keywords.length > 0) {
    const k = keywords[rng.int(keywords.length)]!;
    const filler = rng.pick(
      other()
        .toLowerCase()
        .match(/[a-z]{4,}/g) ?? ["thing"],
    );
    out.push({ kind: "keyword_swapped", text: ref.replace(new RegExp(`\\b${k}\\w*`, "i"), filler) });
  }
  out.push({
    kind: "shuffled",
    text: `${capitalize(
      rng
        .shuffle([...ws])
        .join(" ")
        .toLowerCase(),
    )}.`,
  });
  out.push({ kind: "truncated", text: ws.slice(0, Math.max(1, Math.floor(ws.length / 2))).join(" ") });
  out.push({ kind: "repeated", text: [ref, ref, ref].join(" ") });
  const loop = keywords.length > 0 ? keywords.join(" ") : ws.slice(0, 2).join(" ");
  out.push({ kind: "word_loop", text: Array.from({ length: 6 }, () => loop).join(" ") });
  out.push({ kind: "prompt_copy", text: question });
  out.push({ kind: "off_topic", text: other() });
  out.push({ kind: "too_long", text: [ref, other(), other(), other(), other()].join(" ") });
  out.push({ kind: "lowercase", text: ref.toLowerCase().replace(/[.!?]+$/, "") });
  for (const c of CANARIES) out.push({ kind: `canary:${c}`, text: c });
  return out;
}

export function rubricContext(row: Row, lm: BigramModel): RubricContext {
  const { question, keywords } = writingInfo(row);
  // A continue prompt's given start is meant to be repeated: the no-copy check leaves it out. (It
  // once did not, so the rubric preferred any unrelated sentence to the reference on those prompts.)
  const start = continueStart(question);
  return { prompt: start ? question.replace(start, "") : question, keywords, lm };
}

export const BANDS: readonly Band[] = ["large", "medium", "small", "tie"];

/**
 * `perPrompt` pairs for one prompt: alternately against the reference and any two candidates, drawn
 * round-robin over the gap `bands` (all four by default).
 */
export function pairsFor(
  row: Row,
  others: readonly string[],
  lm: BigramModel,
  rng: Rng,
  perPrompt: number,
  bands: readonly Band[] = BANDS,
): JudgePair[] {
  const cands = candidates(row, others, rng);
  const ctx = rubricContext(row, lm);
  const scores = cands.map((c) => scoreAnswer(c.text, ctx));
  const { question } = writingInfo(row);
  const labelled = (x: number, y: number) =>
    labelledPair(question, ctx.keywords, cands[x]!, scores[x]!, cands[y]!, scores[y]!);
  // bucket every pair by band, then take pairs round-robin over the bands (gaps of every size)
  const byBand = new Map<Band, [number, number][]>();
  for (let i = 0; i < cands.length; i++) {
    for (let j = i + 1; j < cands.length; j++) {
      const band = bandOf(scores[i]!.total - scores[j]!.total);
      if (!byBand.has(band)) byBand.set(band, []);
      byBand.get(band)!.push([i, j]);
    }
  }
  const present = BANDS.filter((b) => bands.includes(b) && byBand.has(b));
  const out: JudgePair[] = [];
  for (let n = 0; n < perPrompt && present.length > 0; n++) {
    const band = present[n % present.length]!;
    const options = byBand.get(band)!;
    const withRef = options.filter(([i]) => i === 0);
    const [i, j] = n % 2 === 0 && withRef.length > 0 ? rng.pick(withRef) : rng.pick(options);
    const [x, y] = rng.next() < 0.5 ? [i, j] : [j, i];
    out.push(labelled(x, y));
  }
  return out;
}

/**
 * The policy's own answers to one prompt, each against the reference in a random order: the pairs the
 * writing reward actually asks the judge about (policy-answers.ts).
 */
export function policyPairs(row: Row, answers: readonly string[], lm: BigramModel, rng: Rng): JudgePair[] {
  const ctx = rubricContext(row, lm);
  const { question, reference } = writingInfo(row);
  const ref = { cand: { kind: "reference", text: reference }, score: scoreAnswer(reference, ctx) };
  return answers.map((text) => {
    const own = { cand: { kind: "policy", text }, score: scoreAnswer(text, ctx) };
    const [x, y] = rng.next() < 0.5 ? [own, ref] : [ref, own];
    return labelledPair(question, ctx.keywords, x.cand, x.score, y.cand, y.score);
  });
}

/** A pair with the rubric's verdict and gap band. */
function labelledPair(
  question: string,
  keywords: readonly string[],
  a: Candidate,
  scoreA: RubricScore,
  b: Candidate,
  scoreB: RubricScore,
): JudgePair {
  return {
    question,
    keywords,
    a,
    b,
    scoreA,
    scoreB,
    verdict: rubricVerdict(scoreA, scoreB),
    band: bandOf(scoreA.total - scoreB.total),
  };
}

/** The same pair with A and B swapped (and the verdict mapped accordingly). */
export function swapped(p: JudgePair): JudgePair {
  const verdict: Verdict = p.verdict === "C" ? "C" : p.verdict === "A" ? "B" : "A";
  return { ...p, a: p.b, b: p.a, scoreA: p.scoreB, scoreB: p.scoreA, verdict };
}

export function judgeMessages(p: { question: string; a: Candidate; b: Candidate }): ChatMessage[] {
  return pairwiseMessages(p.question, p.a.text, p.b.text, EMBEDDED_JUDGE_SYSTEM_PROMPT);
}

/**
 * The judge's reply styles: the verdict first (the shipped judge's); both totals first ("A 62, B 48.
 * ..."); or the required words copied first ("Required words: hit, ball, deep. ..."). A causal
 * model reads the question's required words before either answer, so at those words it cannot look
 * for them in the answers; copied into the reply, after both answers, each can (one attention hop),
 * and the verdict right after them can read which were found where.
 */
export const REPLY_STYLES = ["verdict", "scored", "listed"] as const;
export type ReplyStyle = (typeof REPLY_STYLES)[number];

export function targetReply(p: JudgePair, style: ReplyStyle = "verdict"): string {
  if (style === "scored") return scoredReply(p.scoreA, p.scoreB);
  const verdict = verdictReply(p.scoreA, p.scoreB);
  if (style === "listed") return `${listedOpening(p.keywords)} ${verdict}`;
  return verdict;
}

const LISTED_OPENING = "Required words: ";

/** The required words as a listed reply writes them. */
const listedWords = (keywords: readonly string[]) => keywords.join(", ") || "none";

/** How a listed reply opens: "Required words: hit, ball." (the verdict reply follows). */
export function listedOpening(keywords: readonly string[]): string {
  return `${LISTED_OPENING}${listedWords(keywords)}.`;
}

/**
 * How a reply copied the required words: undefined if it does not open like a listed reply, else
 * the words it lists and whether that list is exactly the prompt's.
 */
export function listedCopy(
  reply: string,
  keywords: readonly string[],
): { exact: boolean; words: string[] } | undefined {
  const text = reply.trimStart();
  if (!text.startsWith(LISTED_OPENING)) return undefined;
  const end = text.indexOf(".", LISTED_OPENING.length);
  const list = text.slice(LISTED_OPENING.length, end < 0 ? undefined : end);
  return { exact: end >= 0 && list === listedWords(keywords), words: list.split(/,\s*/) };
}

/** The human reference corpus of the fluency check: writing references of the given rows. */
export function fluencyModel(rows: readonly Row[]): BigramModel {
  return new BigramModel(rows.map((r) => writingInfo(r).reference));
}
