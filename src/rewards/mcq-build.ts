// Turns a question with a free-form answer into a multiple-choice item: the answer plus distractors
// (given, or drawn from other answers in the dataset), shuffled with a seeded Rng.
import { Rng } from "../engine/rng.js";

export interface MultipleChoiceInput {
  question: string;
  answer: string;
  /** Explicit wrong options; used first. */
  distractors?: readonly string[];
  /** Other answers in the dataset to draw the remaining distractors from. */
  pool?: readonly string[];
  /** Options in total, the answer included (default 4). */
  numOptions?: number;
  /** Seed or generator for the draw and the shuffle. */
  seed?: number | Rng;
}

export interface MultipleChoiceItem {
  /** The question followed by lettered options and an instruction to answer with a letter. */
  prompt: string;
  options: string[];
  answerLetter: string;
}

export function toMultipleChoice(input: MultipleChoiceInput): MultipleChoiceItem {
  const numOptions = input.numOptions ?? 4;
  if (!Number.isInteger(numOptions) || numOptions < 2 || numOptions > 26) {
    throw new Error(`toMultipleChoice: numOptions must be an integer in 2..26, got ${numOptions}`);
  }
  const rng = input.seed instanceof Rng ? input.seed : new Rng(input.seed ?? 0);
  const key = (s: string) => s.trim().toLowerCase();
  const seen = new Set([key(input.answer)]);
  const unique = (list: readonly string[]) =>
    list.filter((s) => {
      const k = key(s);
      if (k === "" || seen.has(k)) return false;
      seen.add(k);
      return true;
    });

  const distractors = unique(input.distractors ?? []).slice(0, numOptions - 1);
  if (distractors.length < numOptions - 1) {
    const candidates = rng.shuffle(unique(input.pool ?? []));
    distractors.push(...candidates.slice(0, numOptions - 1 - distractors.length));
  }
  if (distractors.length < numOptions - 1) {
    throw new Error(
      `toMultipleChoice: need ${numOptions - 1} distinct distractors for "${input.question.slice(0, 60)}", found ${distractors.length} (give more distractors or a larger pool)`,
    );
  }
  const options = rng.shuffle([input.answer, ...distractors]);
  const answerLetter = String.fromCharCode(65 + options.indexOf(input.answer));
  const lines = options.map((o, i) => `${String.fromCharCode(65 + i)}) ${o}`);
  const prompt = `${input.question}\n\n${lines.join("\n")}\n\nAnswer with the letter of the correct option.`;
  return { prompt, options, answerLetter };
}
