// Synthetic copy examples for the base policy's SFT mix. omni-tiny learned each domain's answer
// templates but not to copy tokens out of its prompt: on a describe prompt it writes '"mat" means ...'
// for "sedulously", on a keywords prompt one fixed sentence, and in code the wrong constants. Copying
// rare spans from context is what induction heads do, and small models form them quickly on data
// that rewards copying. These examples do, in the chat format the tasks use:
//
//   repeat_text   Repeat this text exactly: "<a WordNet definition>"      -> the definition
//   repeat_words  Repeat these words in order: "w1", "w2" and "w3".        -> w1 w2 w3
//   use_words     Write the words "w1" and "w2" in one line, in this order. -> w1 w2
//
// Definitions and lemmas come from the filtered WordNet glosses the pretraining already sees (no
// writing reference is among them), so nothing held out leaks.
import type { Rng } from "../engine/rng.js";
import type { Batch } from "./train-loop.js";

export interface CopyExample {
  prompt: string;
  reply: string;
}

function quoteList(words: readonly string[]): string {
  const q = words.map((w) => `"${w}"`);
  return q.length <= 2 ? q.join(" and ") : `${q.slice(0, -1).join(", ")} and ${q.at(-1)}`;
}

/** lemma and definition of a gloss line "lemma: definition; \"example\"" (null for odd lines). */
function parseGloss(line: string): { lemma: string; definition: string } | null {
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
          ? { prompt: `Repeat these words in order: ${quoteList(words)}.`, reply: words.join(" ") }
          : {
              prompt: `Write the words ${quoteList(words)} in one line, in this order.`,
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
