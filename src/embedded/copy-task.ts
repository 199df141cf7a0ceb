// Synthetic copy examples for the base policy's SFT mix. omni-tiny learned each domain's answer
// templates but not to copy tokens out of its prompt: on a describe prompt it writes '"mat" means ...'
// for "sedulously", on a keywords prompt one fixed sentence, and in code the wrong constants. Copying
// rare spans from context is what induction heads do, and small models form them quickly on data
// that rewards copying. These examples do, in the chat format the tasks use:
//
//   repeat_text   Repeat this text exactly: "<a WordNet definition>"      -> the definition
//   repeat_words  Repeat these words in order: w1, w2 and w3.        -> w1 w2 w3
//   use_words     Write the words w1 and w2 in one line, in this order. -> w1 w2
//
// and option look-up examples (lookupExamples) in the qa task's format.
//
// Definitions and lemmas come from the filtered WordNet glosses the pretraining already sees (no
// writing reference is among them), so nothing held out leaks.
import { Rng } from "../engine/rng.js";
import type { LlamaModel } from "../models/llama.js";
import { generate } from "../models/sampler.js";
import type { TextTokenizer } from "../models/tokenizer.js";
import { LETTERS, QA_INSTRUCTION, qaReference } from "../tasks/qa/generate.js";
import { listWords } from "../tasks/writing/generate.js";
import type { Batch } from "./train-loop.js";

export interface CopyExample {
  prompt: string;
  reply: string;
}

/** lemma and definition of a gloss line "lemma: definition; \"example\"" (null for odd lines). */
export function parseGloss(line: string): { lemma: string; definition: string } | null {
  const colon = line.indexOf(": ");
  if (colon <= 0) return null;
  const lemma = line.slice(0, colon);
  const definition = line
    .slice(colon + 2)
    .split("; ")[0]!
    .trim();
  if (!/^[a-z][a-z-]*$/i.test(lemma) || definition.length < 12 || definition.length > 160) return null;
  return { lemma, definition };
}

/** `count` copy examples drawn from gloss lines, a third of each kind. */
export function copyExamples(glosses: readonly string[], count: number, rng: Rng): CopyExample[] {
  const parsed = glosses.map(parseGloss).filter((g) => g !== null);
  if (parsed.length === 0) throw new Error("copyExamples: no usable gloss lines");
  const lemmas = [...new Set(parsed.map((g) => g.lemma))];
  const out: CopyExample[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    if (kind === 0) {
      const { definition } = rng.pick(parsed);
      out.push({ prompt: `Repeat this text exactly: "${definition}"`, reply: definition });
    } else {
      const words = Array.from({ length: 1 + rng.int(4) }, () => rng.pick(lemmas));
      out.push(
        kind === 1
          ? { prompt: `Repeat these words in order: ${listWords(words)}.`, reply: words.join(" ") }
          : {
              prompt: `Write the words ${listWords(words)} in one line, in this order.`,
              reply: words.join(" "),
            },
      );
    }
  }
  return out;
}

/**
 * Batches of pure induction: each row is a random span of token ids in [lo, hi), a separator, and the
 * same span again, with loss only on the second copy (predictable only by attending back to the first).
 */
export function randomSpanCopyBatches(
  span: number,
  B: number,
  ids: { lo: number; hi: number; separator: number },
  rng: Rng,
): () => Batch {
  const T = 2 * span + 1;
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  return () => {
    targets.fill(-1);
    for (let b = 0; b < B; b++) {
      const row = b * T;
      for (let i = 0; i < span; i++) {
        const v = ids.lo + rng.int(ids.hi - ids.lo);
        tokens[row + i] = v;
        tokens[row + span + 1 + i] = v;
      }
      tokens[row + span] = ids.separator;
      for (let i = span; i < 2 * span; i++) targets[row + i] = tokens[row + i + 1]!;
    }
    return { tokens, targets };
  };
}

/** How many copy examples make them `share` of a mix with `others` other documents. */
export function copyCountFor(others: number, share: number): number {
  if (!(share >= 0 && share < 1)) throw new Error(`copy share must be in [0, 1), got ${share}`);
  return Math.round((others * share) / (1 - share));
}

/** The copy example's prompt, chat-templated up to the assistant turn. */
function copyPromptText(tokenizer: TextTokenizer, c: CopyExample): string {
  return tokenizer.applyChatTemplate([{ role: "user", content: c.prompt }], { addGenerationPrompt: true });
}

/** A copy example as one ChatML document (for a pretraining stream). */
export function copyChatText(tokenizer: TextTokenizer, c: CopyExample): string {
  return `${copyPromptText(tokenizer, c)}${c.reply}<|im_end|>`;
}

/** The held-out copy probe: `count` "repeat these words" prompts from a stream no training run draws (seed 99). */
export function heldOutCopyPrompts(glosses: readonly string[], count = 60): CopyExample[] {
  return copyExamples(glosses, 3 * count, new Rng(99))
    .filter((_, i) => i % 3 === 1)
    .slice(0, count);
}

export interface CopyAccuracy {
  /** share of prompts whose greedy reply is exactly the requested words */
  exact: number;
  /** share of requested words that appear in the reply */
  words: number;
  /** one reply, for the log */
  example: string;
}

/**
 * The model's greedy replies (up to `maxNewTokens`) to the examples' prompts; with `forced`, each reply
 * starts with that example's given text and the model continues it.
 */
export function greedyReplies(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  held: readonly CopyExample[],
  forced?: readonly string[],
  maxNewTokens = 48,
) {
  const prompts = held.map((c, i) =>
    tokenizer.encode(copyPromptText(tokenizer, c) + (forced?.[i] ?? ""), { addSpecialTokens: false }),
  );
  const eos = [tokenizer.tokenToId("<|im_end|>"), tokenizer.tokenToId("<|eos|>")].filter(
    (t): t is number => t !== undefined,
  );
  return generate(model, prompts, {
    maxNewTokens,
    temperature: 0,
    eosTokenIds: eos,
    // an --init model's config may count more ids than its tokenizer has (a padded vocabulary)
    sampleVocabSize: Math.min(model.config.vocab_size, tokenizer.vocabSize),
    decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
  });
}

/** Greedy in-context copying on `held` (heldOutCopyPrompts): can the model repeat words it was just given? */
export function copyAccuracy(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  held: readonly CopyExample[],
): CopyAccuracy {
  const gens = greedyReplies(model, tokenizer, held);
  let exact = 0;
  let words = 0;
  let total = 0;
  gens.forEach((g, i) => {
    const want = held[i]!.reply.split(" ");
    const text = (g.text ?? "").trim();
    const got = new Set(text.split(/\s+/));
    if (text === held[i]!.reply) exact++;
    words += want.filter((w) => got.has(w)).length;
    total += want.length;
  });
  return { exact: exact / held.length, words: words / total, example: gens[1]?.text ?? "" };
}

/** How many options a look-up example lists, and how many of its option lists are definitions. */
export interface LookupShape {
  minOptions: number;
  maxOptions: number;
  /** Share of the examples whose options are definitions rather than single lemmas. */
  definitionShare: number;
}

/** The qa task's own shape: 4-8 options, a third of the lists definitions. */
export const QA_LOOKUP_SHAPE: LookupShape = {
  minOptions: 4,
  maxOptions: LETTERS.length,
  definitionShare: 1 / 3,
};

/**
 * Where a look-up example names the option. "question": the question names it and the reply repeats
 * it, so a model can read the letter off the question's word. "reply": the question is one of the qa
 * task's own, about another word, and only the reply names the option, as a qa answer that names its
 * choice does: the letter must be found from the reply's own words (train-base masks the named text
 * out of the loss, since the question does not decide it).
 */
export type LookupAnchor = "question" | "reply";

/**
 * Option look-up examples: the qa task's format with the answer's text named in the question (or, with
 * the "reply" anchor, only in the reply), so that only the letter must be found.
 * "Which option is flounder?\nA. abet\nB. flounder\n..." ->
 * `It is flounder, so the answer is (B).` A qa answer that names its option's text then needs this
 * step to reach the right letter; these teach it without any word knowledge (options are random
 * WordNet lemmas or definitions). The named text is not quoted, so that it has the same tokens in the
 * question, the option list and the reply.
 */
export function lookupExamples(
  glosses: readonly string[],
  count: number,
  rng: Rng,
  shape: LookupShape = QA_LOOKUP_SHAPE,
  anchor: LookupAnchor = "question",
): CopyExample[] {
  const { minOptions, maxOptions, definitionShare } = shape;
  if (!(minOptions >= 2 && minOptions <= maxOptions && maxOptions <= LETTERS.length)) {
    throw new Error(
      `lookupExamples: options must be within 2..${LETTERS.length}, got ${minOptions}..${maxOptions}`,
    );
  }
  const parsed = glosses.map(parseGloss).filter((g) => g !== null);
  const lemmas = [...new Set(parsed.map((g) => g.lemma))];
  const definitions = [...new Set(parsed.map((g) => g.definition))];
  if (Math.min(lemmas.length, definitions.length) < maxOptions) {
    throw new Error(`lookupExamples: needs ${maxOptions} distinct lemmas and definitions`);
  }
  const out: CopyExample[] = [];
  for (let i = 0; i < count; i++) {
    const n = minOptions + rng.int(maxOptions - minOptions + 1);
    // spread the definition lists evenly: example i uses them when the running share steps up
    const useDefinitions = Math.floor((i + 1) * definitionShare) > Math.floor(i * definitionShare);
    const options = new Set<string>();
    while (options.size < n) options.add(useDefinitions ? rng.pick(parsed).definition : rng.pick(lemmas));
    const listed = [...options];
    const at = rng.int(n);
    const letter = LETTERS[at]!;
    const lines = listed.map((o, j) => `${LETTERS[j]}. ${o}`).join("\n");
    const question =
      anchor === "question"
        ? `Which option is ${listed[at]}?`
        : useDefinitions
          ? `What does "${rng.pick(lemmas)}" mean?`
          : `Which word means "${rng.pick(parsed).definition}"?`;
    out.push({
      prompt: `${question}\n${lines}\n${QA_INSTRUCTION}`,
      reply: qaReference(listed[at]!, letter),
    });
  }
  return out;
}

/** Index of the reply token that holds the answer's letter ("(B)."), for weighting it in the loss. */
export function letterTokenIndex(tokenizer: TextTokenizer, reply: readonly number[], letter: string): number {
  for (let i = reply.length - 1; i >= 0; i--) {
    if (tokenizer.decode([reply[i]!]).replace(/[().]/g, "").trim() === letter) return i;
  }
  throw new Error(`letterTokenIndex: no token of the reply is the letter ${letter}`);
}

/** The option text a look-up reply names (`It is X, so the answer is (B).`), or null. */
export function lookupNamedText(reply: string): string | null {
  return /^It is (.+?), so the answer is \(/.exec(reply.trim())?.[1] ?? null;
}

/**
 * Reply-anchored look-up accuracy on `held` (lookupExamples with the "reply" anchor): each reply is
 * forced up to `It is X, so the answer is` with the example's named option X, and the model's greedy
 * continuation must give X's letter. Forcing the named text keeps this a probe of the step from a named
 * option to its letter, whether or not the model would name an option on its own.
 */
export function replyLookupAccuracy(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  held: readonly CopyExample[],
): number {
  const forced = held.map((c) => `It is ${lookupNamedText(c.reply)}, so the answer is`);
  const gens = greedyReplies(model, tokenizer, held, forced, 4);
  const letterOf = (text: string) => /^\s*\(([A-H])\)/.exec(text)?.[1];
  return (
    gens.filter((g, i) => letterOf(g.text ?? "") === letterOf(held[i]!.reply.slice(forced[i]!.length)))
      .length / held.length
  );
}

/** The held-out look-up probes, 60 examples of each anchor from seeds no training run draws. */
export function heldOutLookups(glosses: readonly string[]): Record<LookupAnchor, CopyExample[]> {
  return {
    question: lookupExamples(glosses, 60, new Rng(98)),
    reply: lookupExamples(glosses, 60, new Rng(97), QA_LOOKUP_SHAPE, "reply"),
  };
}

/** Greedy look-up accuracy on `held` (lookupExamples from a seed no training run draws). */
export function lookupAccuracy(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  held: readonly CopyExample[],
): number {
  const gens = greedyReplies(model, tokenizer, held);
  const letterOf = (reply: string) => /\(([A-H])\)\.?$/.exec(reply.trim())?.[1];
  return gens.filter((g, i) => letterOf(g.text ?? "") === letterOf(held[i]!.reply)).length / held.length;
}
