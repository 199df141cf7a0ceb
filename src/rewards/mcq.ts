// Multiple-choice reward: find the option letter the response commits to and compare it with the key.
//
// Extraction goes from the most explicit evidence to the least, and stops at the first tier that
// finds anything:
//   1. `\boxed{B}` (also `\boxed{(B)}`, `\boxed{\text{B}}`);
//   2. answer statements: "Answer: B", "the answer is (B)", "final answer: **B**", "correct option is B";
//   3. the response is only the letter: "B", "(B)", "B.", "**B**";
//   4. marked letters anywhere: a leading "B) text" / "B. text", "(B)", "**B**", or "B." / "B)" at the
//      start of a line;
//   5. the exact text of one option (when the options are known).
// Within the deciding tier, one distinct letter is the choice; several different letters are
// `wrong_format`; no tier finding anything is `no_answer`. So "A) foo B) bar ... Answer: B" resolves
// to B by its answer statement, while "(A) or maybe (C)" is wrong_format.
import { z } from "zod";
import { parseConfig } from "../config/load.js";
import { type Reward, type RewardResult, type RewardSample, result } from "./types.js";

export const McqRewardConfig = z
  .object({
    correctScore: z.number().default(1),
    incorrectScore: z.number().default(0),
    /** Score when several different letters are claimed. */
    wrongFormatScore: z.number().default(0),
    /** Score when no letter (and no option text) is found. */
    noAnswerScore: z.number().default(0),
    /** Letters allowed when the options are not known (A.. this many letters). */
    maxOptions: z.number().int().min(2).max(26).default(10),
  })
  .strict();
export type McqRewardConfig = z.output<typeof McqRewardConfig>;

export interface ChoiceExtraction {
  letter: string | null;
  status: "ok" | "no_answer" | "wrong_format";
  /** Which tier decided: boxed | statement | bare | marked | option_text. */
  via: string | null;
  /** The distinct letters the deciding tier found. */
  candidates: string[];
}

/** Letters for `options` (A, B, ... one per option), or A.. up to `maxOptions` when they are unknown. */
function lettersFor(options: readonly string[] | undefined, maxOptions: number): string[] {
  const n = options && options.length > 0 ? options.length : maxOptions;
  return Array.from({ length: n }, (_, i) => String.fromCharCode(65 + i));
}

const L = "([A-Za-z])"; // the letter; lowercase counts only where `lowercaseIfBracketed` allows "(b)"
const END = "(?![A-Za-z0-9])";

interface Tier {
  via: string;
  /** Each pattern captures an optional "(" as group 1 and the letter as group 2. */
  patterns: RegExp[];
  lowercaseIfBracketed: boolean;
}

const TIERS: Tier[] = [
  {
    via: "boxed",
    patterns: [
      new RegExp(String.raw`\\boxed\s*\{\s*(?:\\text(?:bf)?\s*\{\s*)?(\()?\s*${L}\s*\)?\s*\}?\s*\}`, "g"),
    ],
    lowercaseIfBracketed: true,
  },
  {
    via: "statement",
    patterns: [
      new RegExp(
        String.raw`\banswer\s*(?:is|:|=)?\s*(?:option|choice)?\s*[:\-]?\s*[*_]*\s*(\()?\s*${L}${END}`,
        "gi",
      ),
      new RegExp(
        String.raw`\b(?:correct|right|best|final)\s+(?:option|choice)\s*(?:is|:|=)?\s*[*_]*\s*(\()?\s*${L}${END}`,
        "gi",
      ),
      new RegExp(
        String.raw`\bI(?:\s+would|'d|\s+will)?\s+(?:choose|pick|select|go\s+with)\s*[*_]*\s*(\()?\s*${L}${END}`,
        "gi",
      ),
    ],
    lowercaseIfBracketed: true,
  },
  {
    via: "bare",
    patterns: [new RegExp(String.raw`^\s*[*_]*\s*(\()?\s*${L}\s*\)?\s*[.:]?\s*[*_]*\s*$`, "g")],
    lowercaseIfBracketed: true,
  },
  {
    via: "marked",
    patterns: [
      // A leading "B) text" / "B. text" / "B: text" counts with the other marked letters, so that
      // "(A) or maybe (C)" is wrong_format rather than A.
      new RegExp(String.raw`^\s*[*_]*\s*(\()?\s*${L}\s*[).:][*_]*\s`, "g"),
      new RegExp(String.raw`(\()${L}\)`, "g"),
      new RegExp(String.raw`\*\*\s*(\()?${L}\s*[).:]?\s*\*\*`, "g"),
      new RegExp(String.raw`^\s*(\()?${L}[.)]\s`, "gm"),
    ],
    lowercaseIfBracketed: false,
  },
];

export interface ExtractChoiceOptions {
  /** Option texts in letter order (enables option-text matching and limits the letters). */
  options?: readonly string[];
  /** Letters allowed when `options` is not given (default 10: A..J). */
  maxOptions?: number;
}

/** Finds the option the response commits to. `options` may be the option texts or a settings object. */
export function extractChoice(
  response: string,
  options?: readonly string[] | ExtractChoiceOptions,
): ChoiceExtraction {
  const settings: ExtractChoiceOptions = Array.isArray(options)
    ? { options: options as readonly string[] }
    : ((options as ExtractChoiceOptions | undefined) ?? {});
  const letters = new Set(lettersFor(settings.options, settings.maxOptions ?? 10));
  for (const tier of TIERS) {
    const found = new Set<string>();
    for (const pattern of tier.patterns) {
      pattern.lastIndex = 0;
      for (const m of response.matchAll(pattern)) {
        const raw = m[2]!;
        // Lowercase letters are words ("answer is a ..."), unless bracketed like "(b)".
        if (
          raw !== raw.toUpperCase() &&
          !(tier.lowercaseIfBracketed && (m[1] === "(" || tier.via === "boxed"))
        ) {
          continue;
        }
        const letter = raw.toUpperCase();
        if (letters.has(letter)) found.add(letter);
      }
    }
    if (found.size > 0) return decide([...found], tier.via);
  }
  if (settings.options && settings.options.length > 0) {
    const matched = optionTextMatches(response, settings.options);
    if (matched.length > 0) return decide(matched, "option_text");
  }
  return { letter: null, status: "no_answer", via: null, candidates: [] };
}

function decide(candidates: string[], via: string): ChoiceExtraction {
  candidates.sort();
  if (candidates.length === 1) return { letter: candidates[0]!, status: "ok", via, candidates };
  return { letter: null, status: "wrong_format", via, candidates };
}

/** Letters whose option text appears in the response (an option contained in a longer matched one drops out). */
function optionTextMatches(response: string, options: readonly string[]): string[] {
  const text = squash(response);
  const hits = options
    .map((o, i) => ({ letter: String.fromCharCode(65 + i), text: squash(o) }))
    .filter((o) => o.text.length > 0 && text.includes(o.text));
  return hits
    .filter(
      (h) =>
        !hits.some(
          (other) => other !== h && other.text.length > h.text.length && other.text.includes(h.text),
        ),
    )
    .map((h) => h.letter);
}

function squash(s: string): string {
  return s.toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Ground truth shapes: a letter ("B", "(B)", "b"), or `{answer, options}` where `answer` is a letter,
 * a 0-based index, or the text of one option. Options may also come from `extraInfo.options`; they are
 * a list of texts (letter order) or a map `{A: text, B: text}`.
 */
export function mcqKey(
  groundTruth: unknown,
  extraInfo: Record<string, unknown> | undefined,
  where: string,
): { letter: string; options?: string[] } {
  let answer: unknown = groundTruth;
  let options = readOptions(extraInfo?.options, `${where}: extra_info.options`);
  if (groundTruth && typeof groundTruth === "object" && !Array.isArray(groundTruth)) {
    const g = groundTruth as Record<string, unknown>;
    if (!("answer" in g)) throw new Error(`${where}: ground truth object needs an 'answer' field`);
    answer = g.answer;
    options = readOptions(g.options, `${where}: ground_truth.options`) ?? options;
  }
  if (
    typeof answer === "number" &&
    Number.isInteger(answer) &&
    options &&
    answer >= 0 &&
    answer < options.length
  ) {
    return { letter: String.fromCharCode(65 + answer), options };
  }
  if (typeof answer === "string") {
    const letter = /^\s*\(?\s*([A-Za-z])\s*\)?\s*\.?\s*$/.exec(answer)?.[1];
    if (letter) return { letter: letter.toUpperCase(), options };
    const index = options?.findIndex((o) => squash(o) === squash(answer as string)) ?? -1;
    if (index >= 0) return { letter: String.fromCharCode(65 + index), options };
  }
  throw new Error(
    `${where}: MCQ ground truth must be a letter, or {answer: letter | index | option text, options}; got ${JSON.stringify(groundTruth)}`,
  );
}

function readOptions(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
    return value.map(String);
  }
  if (typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    if (
      entries.every(([k, v], i) => k.toUpperCase() === String.fromCharCode(65 + i) && typeof v === "string")
    ) {
      return entries.map(([, v]) => v as string);
    }
  }
  throw new Error(`${where}: options must be a list of texts or a map {A: text, B: text, ...}`);
}

export function createMcqReward(config: z.input<typeof McqRewardConfig> = {}, name = "mcq"): Reward {
  const cfg = parseConfig(McqRewardConfig, config, `${name} reward config`);
  return {
    name,
    async scoreBatch(samples: RewardSample[]): Promise<RewardResult[]> {
      return samples.map((s, i) => scoreOne(s, cfg, `${name} sample ${i} (${s.dataSource})`));
    },
  };
}

function scoreOne(sample: RewardSample, cfg: McqRewardConfig, where: string): RewardResult {
  const key = mcqKey(sample.groundTruth, sample.extraInfo, where);
  const choice = extractChoice(sample.response, { options: key.options, maxOptions: cfg.maxOptions });
  const details = {
    expected: key.letter,
    chosen: choice.letter,
    via: choice.via,
    candidates: choice.candidates,
  };
  if (choice.status === "no_answer") return result(cfg.noAnswerScore, "no_answer", { ...details, metric: 0 });
  if (choice.status === "wrong_format")
    return result(cfg.wrongFormatScore, "wrong_format", { ...details, metric: 0 });
  const correct = choice.letter === key.letter;
  return result(correct ? cfg.correctScore : cfg.incorrectScore, "ok", {
    ...details,
    metric: correct ? 1 : 0,
  });
}
