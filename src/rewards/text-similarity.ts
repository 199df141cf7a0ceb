// OpenAI `text_similarity` grader and its metrics, as pure functions.
//
// - fuzzy_match: character-level Indel similarity, 2*LCS(a,b) / (|a|+|b|), the definition of
//   rapidfuzz's `fuzz.ratio` (divided by 100). Two empty strings score 1.
// - bleu: sentence BLEU with up to 4-grams, clipped counts, brevity penalty, the effective order
//   (orders longer than the candidate are left out) and sacrebleu's "exp" smoothing: the k-th order
//   with no match counts 1/(2^k) matches. Tokens: words and single punctuation marks, case kept
//   (close to sacrebleu's 13a tokenizer).
// - gleu: Google-BLEU (nltk sentence_gleu): over all 1..4-grams, min(precision, recall). Same tokens.
// - rouge_1..rouge_5, rouge_l: F1 of n-gram overlap / of the longest common token subsequence.
//   Tokens: lowercased runs of letters and digits (like rouge_score without stemming).
// meteor and cosine (embeddings) are not implemented; configs naming them fail validation.
import { z } from "zod";
import { parseConfig } from "../config/load.js";
import { graderContext, renderOrThrow } from "./template.js";
import { type Reward, type RewardResult, type RewardSample, result } from "./types.js";

export const TEXT_SIMILARITY_METRICS = [
  "fuzzy_match",
  "bleu",
  "gleu",
  "rouge_1",
  "rouge_2",
  "rouge_3",
  "rouge_4",
  "rouge_5",
  "rouge_l",
] as const;
export type TextSimilarityMetric = (typeof TEXT_SIMILARITY_METRICS)[number];

export const TextSimilarityGraderConfig = z
  .object({
    type: z.literal("text_similarity").optional(),
    name: z.string().min(1).default("text_similarity"),
    input: z.string(),
    reference: z.string(),
    evaluation_metric: z.enum(TEXT_SIMILARITY_METRICS, {
      error: `evaluation_metric must be one of ${TEXT_SIMILARITY_METRICS.join(", ")} (meteor and cosine are not implemented)`,
    }),
    /** When set, details.passed says whether the similarity reached it. */
    pass_threshold: z.number().min(0).max(1).optional(),
  })
  .strict();
export type TextSimilarityGraderConfig = z.output<typeof TextSimilarityGraderConfig>;

export function textSimilarity(metric: TextSimilarityMetric, candidate: string, reference: string): number {
  if (metric === "fuzzy_match") return fuzzyMatch(candidate, reference);
  if (metric === "bleu") return bleu(candidate, reference);
  if (metric === "gleu") return gleu(candidate, reference);
  if (metric === "rouge_l") return rouge(candidate, reference, "l");
  return rouge(candidate, reference, Number(metric.slice("rouge_".length)));
}

export function createTextSimilarityGrader(config: z.input<typeof TextSimilarityGraderConfig>): Reward {
  const cfg = parseConfig(TextSimilarityGraderConfig, config, "text_similarity grader config");
  return {
    name: cfg.name,
    async scoreBatch(samples: RewardSample[]): Promise<RewardResult[]> {
      return samples.map((sample, i) => {
        const ctx = graderContext(sample);
        const where = `${cfg.name} sample ${i} (${sample.dataSource})`;
        const input = renderOrThrow(cfg.input, ctx, `${where}: input`);
        const reference = renderOrThrow(cfg.reference, ctx, `${where}: reference`);
        const value = textSimilarity(cfg.evaluation_metric, input, reference);
        const details: Record<string, unknown> = { evaluation_metric: cfg.evaluation_metric, metric: value };
        if (cfg.pass_threshold !== undefined) details.passed = value >= cfg.pass_threshold;
        return result(value, "ok", details);
      });
    },
  };
}

/** 2*LCS/(|a|+|b|) over characters (rapidfuzz `fuzz.ratio` / 100). */
export function fuzzyMatch(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  if (x.length + y.length === 0) return 1;
  return (2 * lcsLength(x, y)) / (x.length + y.length);
}

/** Sentence BLEU-4 with effective order and exp smoothing; in [0, 1]. */
export function bleu(candidate: string, reference: string): number {
  const cand = bleuTokens(candidate);
  const ref = bleuTokens(reference);
  if (cand.length === 0 || ref.length === 0) return 0;
  const order = Math.min(4, cand.length);
  let logSum = 0;
  let zeroOrders = 0;
  for (let n = 1; n <= order; n++) {
    const total = cand.length - n + 1;
    let matches = clippedOverlap(ngramCounts(cand, n), ngramCounts(ref, n));
    if (matches === 0) {
      zeroOrders++;
      matches = 1 / 2 ** zeroOrders;
    }
    logSum += Math.log(matches / total);
  }
  const brevity = cand.length < ref.length ? Math.exp(1 - ref.length / cand.length) : 1;
  return brevity * Math.exp(logSum / order);
}

/** Google-BLEU: min(precision, recall) of all 1..4-grams taken together. */
export function gleu(candidate: string, reference: string): number {
  const cand = bleuTokens(candidate);
  const ref = bleuTokens(reference);
  let matches = 0;
  let candTotal = 0;
  let refTotal = 0;
  for (let n = 1; n <= 4; n++) {
    const c = ngramCounts(cand, n);
    const r = ngramCounts(ref, n);
    matches += clippedOverlap(c, r);
    candTotal += Math.max(0, cand.length - n + 1);
    refTotal += Math.max(0, ref.length - n + 1);
  }
  if (candTotal === 0 || refTotal === 0) return 0;
  return Math.min(matches / candTotal, matches / refTotal);
}

/** ROUGE-N (n-gram overlap) or ROUGE-L (longest common subsequence) F1; in [0, 1]. */
export function rouge(candidate: string, reference: string, n: number | "l"): number {
  const cand = rougeTokens(candidate);
  const ref = rougeTokens(reference);
  let overlap: number;
  let candTotal: number;
  let refTotal: number;
  if (n === "l") {
    overlap = lcsLength(cand, ref);
    candTotal = cand.length;
    refTotal = ref.length;
  } else {
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`rouge: n must be a positive integer or 'l', got ${n}`);
    overlap = clippedOverlap(ngramCounts(cand, n), ngramCounts(ref, n));
    candTotal = Math.max(0, cand.length - n + 1);
    refTotal = Math.max(0, ref.length - n + 1);
  }
  if (overlap === 0 || candTotal === 0 || refTotal === 0) return 0;
  const precision = overlap / candTotal;
  const recall = overlap / refTotal;
  return (2 * precision * recall) / (precision + recall);
}

/** Words and single punctuation marks, case kept. */
export function bleuTokens(s: string): string[] {
  return s.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

/** Lowercased runs of letters and digits. */
export function rougeTokens(s: string): string[] {
  return s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join("\u0001");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function clippedOverlap(cand: Map<string, number>, ref: Map<string, number>): number {
  let overlap = 0;
  for (const [gram, count] of cand) overlap += Math.min(count, ref.get(gram) ?? 0);
  return overlap;
}

/** Length of the longest common subsequence (two DP rows). */
function lcsLength<T>(a: readonly T[], b: readonly T[]): number {
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}
