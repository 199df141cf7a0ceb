// Writing task: short open-ended writing judged against a human-written reference, the example
// sentences quoted in WordNet 3.1 glosses (e.g. "he ate a big breakfast").
// Prompt types:
//   keywords  (CommonGen style) write a sentence using 2-4 words taken from the example sentence;
//   continue  finish a sentence whose first words come from the example (its required words: the
//             content words of that start, which a complete sentence repeats);
//   use_word  write a sentence using a word in a given sense (the example uses it);
//   describe  explain a word in a sentence or two (reference: its definition plus the example).
// Difficulty: keywords 1-3 (2, 3 or 4 keywords); use_word 1; continue 2; describe 2.
import type { Rng } from "../../engine/rng.js";
import type { Drawer, TaskGenerator, TaskItem } from "../dataset.js";
import { isPlainWord, loadWordNet, type Synset } from "../wordnet.js";

type WType = "keywords" | "continue" | "use_word" | "describe";

const CONTINUE_PREFIX = "Continue this sentence so that it is complete: ";

/** The given start of a `continue` prompt ("The setting sun"), or undefined for other prompts. */
export function continueStart(prompt: string): string | undefined {
  if (!prompt.startsWith(CONTINUE_PREFIX)) return undefined;
  return prompt.slice(CONTINUE_PREFIX.length).match(/^"(.*) \.\.\."$/s)?.[1];
}
const WTYPES: WType[] = ["keywords", "keywords", "keywords", "continue", "use_word", "describe"];

const STOPWORDS = new Set(
  (
    "a an the and or but if of to in on at by for with from into onto over under as is are was were be been " +
    "being am do does did have has had he she it they we you i me him her them us my his its our your their " +
    "this that these those there here not no so than then too very can could will would should may might must " +
    "shall just also all any some such what which who whom whose when where why how about after before up down " +
    "out off again only own same other each few more most both one"
  ).split(" "),
);

interface Example {
  synset: Synset;
  word: string;
  sentence: string;
  tokens: string[];
}

/** A sentence as a reference: first letter capitalized, ending with punctuation. */
export function asSentence(text: string): string {
  const t = text.trim();
  const cap = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(cap) ? cap : `${cap}.`;
}

export function tokensOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+(?:'[a-z]+)?/g) ?? [];
}

function collectExamples(): Example[] {
  const out: Example[] = [];
  for (const s of loadWordNet().synsets.values()) {
    const word = s.words.find(isPlainWord);
    if (!word) continue;
    for (const e of s.examples) {
      if (!/^[A-Za-z][A-Za-z ,;'.!?-]*$/.test(e)) continue; // plain prose only: no quotes, digits, brackets
      const tokens = tokensOf(e);
      if (tokens.length < 6 || tokens.length > 22) continue;
      out.push({ synset: s, word, sentence: e, tokens });
    }
  }
  return out;
}

export function contentWords(tokens: string[]): string[] {
  return [...new Set(tokens.filter((t) => t.length >= 3 && !STOPWORDS.has(t) && !t.includes("'")))];
}

// Required words are named bare, not quoted: the byte-level BPE spells a quoted word ('"farther"' is
// '"|f|ar|ther') differently from the same word inside a sentence (' far|ther'), so a quoted prompt
// word is not a span the answer can copy. Multi-word lemmas keep their quotes to stay unambiguous.
function nameWord(word: string): string {
  return word.includes(" ") ? `"${word}"` : word;
}

/** "a", "a and b", "a, b and c", each word named as nameWord does. */
export function listWords(words: readonly string[]): string {
  const named = words.map(nameWord);
  return named.length <= 2 ? named.join(" and ") : `${named.slice(0, -1).join(", ")} and ${named.at(-1)}`;
}

function drawWriting(rng: Rng, examples: Example[]): TaskItem | null {
  const ex = rng.pick(examples);
  const type = rng.pick(WTYPES);
  const sentence = asSentence(ex.sentence);
  let prompt: string;
  let difficulty: number;
  let keywords: string[] = [];
  let reference = sentence;
  if (type === "keywords") {
    const n = 2 + rng.int(3);
    const pool = contentWords(ex.tokens);
    if (pool.length < n) return null;
    keywords = rng.shuffle(pool).slice(0, n);
    difficulty = n - 1;
    prompt = `Write one sentence that uses all of these words: ${listWords(keywords)}.`;
  } else if (type === "continue") {
    const words = ex.sentence.trim().split(/\s+/);
    if (words.length < 7) return null;
    const cut = Math.max(3, Math.floor(words.length * (0.35 + 0.2 * rng.next())));
    const start = asSentence(words.join(" ")).split(/\s+/).slice(0, cut).join(" ");
    keywords = contentWords(tokensOf(start));
    difficulty = 2;
    prompt = `${CONTINUE_PREFIX}"${start} ..."`;
  } else if (type === "use_word") {
    if (
      !ex.tokens.some((t) => t.startsWith(ex.word.split(" ")[0]!.slice(0, Math.max(3, ex.word.length - 2))))
    ) {
      return null; // the example must visibly use the word (allowing inflections)
    }
    if (ex.synset.definition.length > 140) return null;
    keywords = [ex.word];
    difficulty = 1;
    prompt = `Write a sentence that uses the word ${nameWord(ex.word)} in the sense "${ex.synset.definition}".`;
  } else {
    if (ex.synset.definition.length > 140) return null;
    keywords = [ex.word];
    difficulty = 2;
    prompt = `Describe what "${ex.word}" means in one or two sentences, with an example.`;
    reference = `"${ex.word}" means ${ex.synset.definition}. For example: ${sentence}`;
  }
  return {
    prompt,
    difficulty,
    style: "model",
    groundTruth: { reference, keywords },
    reference,
    extra: { wtype: type, synset: ex.synset.id, keywords, example: ex.sentence },
  };
}

export const writingTask: TaskGenerator = {
  name: "writing",
  ability: "writing",
  createDrawer(): Drawer {
    const examples = collectExamples();
    return (rng) => drawWriting(rng, examples);
  },
};
