// Keyword look-up examples for the base's look-up phase: does a text use every word of a list? This
// is the writing rubric's keyword check, the judge's weakest (docs/results.md, nineteenth round), and
// it is a look-up: find each listed word in the text. A model fine-tuned on the judge's own pairs
// answers it by the answer's shape instead (one sentence "No", a long run "Yes": keyword-probe.ts),
// because the candidate kinds let it. These examples do not: every "No" is a minimal pair of a "Yes",
// the same text with one listed word replaced by another word, so only the look-up separates them.
//
//   Does this text use all of these words: river and stone? Text: "a stone at the edge of a river"
//     -> Yes, it uses every word.
//   Does this text use all of these words: river and stone? Text: "a stone at the edge of a lake"
//     -> No, it misses river.
//
// Texts are WordNet definitions and listed words come from them, as in copy-task.ts: the glosses the
// pretraining already sees, so nothing held out leaks. Labels agree with the rubric's own check
// (keywordCoverage, inflections allowed): a "No" whose text still matches the word is not made.
import { Rng } from "../engine/rng.js";
import { keywordCoverage } from "../rewards/keywords.js";
import { contentWords, listWords, tokensOf } from "../tasks/writing/generate.js";
import { type CopyExample, parseGloss } from "./copy-task.js";

/** How many words a keyword look-up lists, and how many definitions its text joins. */
export interface KeywordShape {
  maxWords: number;
  /** The text is 1..maxDefinitions definitions joined (longer texts, words farther apart). */
  maxDefinitions: number;
}

/** From one listed word in one definition to the writing task's shape (up to four words, longer texts). */
export const KEYWORD_CURRICULUM: KeywordShape[] = [
  { maxWords: 1, maxDefinitions: 1 },
  { maxWords: 3, maxDefinitions: 2 },
  { maxWords: 4, maxDefinitions: 3 },
];

const YES = "Yes, it uses every word.";

/** Words of a text that can be listed, as the writing task picks required words: content words, each once. */
function listable(text: string): string[] {
  return contentWords(tokensOf(text));
}

/**
 * `count` keyword look-ups, half "Yes" and half their minimal-pair "No" (the same text with one listed
 * word replaced by a WordNet lemma it does not contain). The "No" reply names the missing word.
 */
export function keywordLookupExamples(
  glosses: readonly string[],
  count: number,
  rng: Rng,
  shape: KeywordShape = KEYWORD_CURRICULUM.at(-1)!,
): CopyExample[] {
  if (!(shape.maxWords >= 1 && shape.maxDefinitions >= 1)) {
    throw new Error(
      `keywordLookupExamples: maxWords and maxDefinitions must be >= 1, got ${JSON.stringify(shape)}`,
    );
  }
  const parsed = glosses.map(parseGloss).filter((g) => g !== null);
  const definitions = parsed.map((g) => g.definition).filter((d) => listable(d).length >= shape.maxWords);
  const fillers = [...new Set(parsed.map((g) => g.lemma).filter((l) => /^[a-z]{3,}$/.test(l)))];
  if (definitions.length === 0 || fillers.length < 2) {
    throw new Error("keywordLookupExamples: no usable gloss lines");
  }
  const out: CopyExample[] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries > 20 * count + 100)
      throw new Error("keywordLookupExamples: too few glosses make a minimal pair");
    const parts = Array.from({ length: 1 + rng.int(shape.maxDefinitions) }, () => rng.pick(definitions));
    const text = parts.join("; ");
    const words = rng.shuffle(listable(text)).slice(0, 1 + rng.int(shape.maxWords));
    const missing = rng.pick(words);
    const filler = rng.pick(fillers);
    const swapped = text.replace(new RegExp(`\\b${missing}\\b`, "gi"), filler);
    // another inflection of the word left in the text, or a filler of the same stem, would still match
    if (words.includes(filler) || keywordCoverage(swapped, words) === 1) continue;
    const ask = (t: string) => `Does this text use all of these words: ${listWords(words)}? Text: "${t}"`;
    out.push({ prompt: ask(text), reply: YES });
    if (out.length < count) out.push({ prompt: ask(swapped), reply: `No, it misses ${missing}.` });
  }
  return rng.shuffle(out);
}

/** The held-out keyword look-up probe: the curriculum's last shape, from a seed no training run draws. */
export function heldOutKeywordLookups(glosses: readonly string[], count = 60): CopyExample[] {
  return keywordLookupExamples(glosses, count, new Rng(97));
}

/** Keyword look-up accuracy of replies to `held`: the reply's first word (Yes or No) is the target's. */
export function keywordLookupAccuracy(replies: readonly string[], held: readonly CopyExample[]): number {
  const first = (s: string) => s.trim().split(/[\s,.]/)[0];
  return replies.filter((r, i) => first(r) === first(held[i]!.reply)).length / Math.max(1, held.length);
}
