// Keyword-constraint reward: the share of the prompt's required words the response uses, read from
// ground_truth.keywords (the writing task's rows carry them). It is a verifiable constraint in the
// IFEval sense, and its main use is as a gate inside a `multi` reward, next to an LLM judge:
//
//   writing:
//     type: multi
//     graders:
//       judge: {type: judge_pairwise, ...}
//       keywords: {type: keywords}
//     calculate_output: "min(judge, 2 * keywords - 1)"   # missing words cap the judge's reward
//
// A judge alone can be gamed: a policy collapses onto a string the judge happens to like, whatever the
// prompt asked (docs/results.md, fifth round). A sentence that must contain the prompt's own words
// cannot be one fixed string for every prompt.
//
// Matching: a keyword matches a response word that starts with its stem (the keyword minus a final
// e, y or s, when at least 3 letters remain), so inflections count ("run" matches "running", "cherry"
// matches "cherries"); a multi-word keyword needs each of its parts. `match: exact` wants the word as
// written. A row with no keywords (an empty list, or no such field: a writing row with only a
// reference) scores 1 unless `required: true`; a field that is not a list of strings is an error.
import { z } from "zod";
import { parseConfig } from "../config/load.js";
import { type Reward, type RewardResult, type RewardSample, result } from "./types.js";

export const KeywordsRewardConfig = z
  .object({
    /** Field of ground_truth (an object) that holds the list of required words. */
    field: z.string().min(1).default("keywords"),
    match: z.enum(["stem", "exact"]).default("stem"),
    /** A row without the field is an error instead of a row with nothing to check. */
    required: z.boolean().default(false),
  })
  .strict();
export type KeywordsRewardConfig = z.output<typeof KeywordsRewardConfig>;

/** Lower-case words (letters, digits, apostrophes). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

function stem(word: string): string {
  const w = word.toLowerCase();
  const cut = w.replace(/(e|y|s)$/, "");
  return cut.length >= 3 ? cut : w;
}

/** Share of `keywords` that `answer` uses (1 when there are none). */
export function keywordCoverage(
  answer: string,
  keywords: readonly string[],
  match: KeywordsRewardConfig["match"] = "stem",
): number {
  if (keywords.length === 0) return 1;
  const ws = words(answer);
  const uses = (part: string) =>
    match === "exact" ? ws.includes(part) : ws.some((w) => w.startsWith(stem(part)));
  let hit = 0;
  for (const k of keywords) {
    const parts = words(k);
    if (parts.length > 0 && parts.every(uses)) hit++;
  }
  return hit / keywords.length;
}

function keywordsOf(sample: RewardSample, cfg: KeywordsRewardConfig): string[] {
  const { field } = cfg;
  const gt = sample.groundTruth;
  const list = gt && typeof gt === "object" ? (gt as Record<string, unknown>)[field] : undefined;
  if (list === undefined && !cfg.required) return [];
  if (!Array.isArray(list) || !list.every((k) => typeof k === "string")) {
    throw new Error(
      `keywords reward (data_source ${sample.dataSource}): ground_truth.${field} must be a list of strings`,
    );
  }
  return list;
}

export function createKeywordsReward(
  config: z.input<typeof KeywordsRewardConfig>,
  name = "keywords",
): Reward {
  const cfg = parseConfig(KeywordsRewardConfig, config, "keywords reward config");
  return {
    name,
    async scoreBatch(samples: RewardSample[]): Promise<RewardResult[]> {
      return samples.map((sample) => {
        const keywords = keywordsOf(sample, cfg);
        const coverage = keywordCoverage(sample.response, keywords, cfg.match);
        const missing = keywords.filter((k) => keywordCoverage(sample.response, [k], cfg.match) === 0);
        return result(coverage, "ok", { metric: coverage, missing });
      });
    },
  };
}
