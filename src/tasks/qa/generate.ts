// QA task: short factual multiple-choice questions about word meanings, built from WordNet 3.1.
// Question types: the word for a definition, the definition of a word, a synonym, a hypernym.
// Distractors come from the same part of speech: first the focus synset's siblings (co-hyponyms under
// the same hypernym, or adjectives similar to the same head), then the same lexicographer file.
// A distractor is never a correct alternative: it must not share any sense with the answer (nor with
// the asked-about word), and for hypernym questions it must not be any ancestor of the word.
// Difficulty: 1 = 4 options, distractors from the same lexicographer file; 2 = 5-6 options and
// 3 = 7-8 options, distractors from the siblings first.
import type { Rng } from "../../engine/rng.js";
import type { Drawer, TaskGenerator, TaskItem } from "../dataset.js";
import { isPlainWord, loadWordNet, type Synset, shareSense, type WordNet } from "../wordnet.js";

export const QA_INSTRUCTION = "Answer with the letter of the correct option.";

/**
 * A qa reply that names the answer before its letter. The references use it, and so do the base
 * model's option look-up examples (src/embedded/copy-task.ts), which must match it token for token.
 */
export function qaReference(answer: string, letter: string): string {
  return `It is ${answer}, so the answer is (${letter}).`;
}
export const LETTERS = "ABCDEFGH";

type QType = "word_for_definition" | "definition_for_word" | "synonym" | "hypernym";
const QTYPES: QType[] = ["word_for_definition", "definition_for_word", "synonym", "hypernym"];

const OPTION_COUNTS: Record<number, number[]> = { 1: [4], 2: [5, 6], 3: [7, 8] };

/** The most familiar plain lemma of a synset that was seen in SemCor, if any. */
function familiarWord(s: Synset): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  s.words.forEach((w, i) => {
    if (isPlainWord(w) && s.tagCounts[i]! > bestCount) {
      best = w;
      bestCount = s.tagCounts[i]!;
    }
  });
  return best;
}

function isMonosemous(wn: WordNet, word: string): boolean {
  return (wn.lemmaSynsets.get(word.toLowerCase()) ?? []).length === 1;
}

const wordsOf = (text: string) => new Set(text.toLowerCase().split(/[^a-z]+/));

/** Definitions short enough to be options, and not circular. */
function usableDefinition(s: Synset, maxLen: number): boolean {
  if (s.definition.length < 12 || s.definition.length > maxLen) return false;
  const defWords = wordsOf(s.definition);
  return !s.words.some((w) => w.split(/[ -]/).some((part) => defWords.has(part.toLowerCase())));
}

class QaBuilder {
  private readonly byLexFile = new Map<string, Synset[]>();
  private readonly familiar: Synset[];

  constructor(private readonly wn: WordNet) {
    this.familiar = [];
    for (const s of wn.synsets.values()) {
      if (!familiarWord(s)) continue;
      this.familiar.push(s);
      const key = `${s.pos}:${s.lexFile}`;
      const list = this.byLexFile.get(key);
      if (list) list.push(s);
      else this.byLexFile.set(key, [s]);
    }
  }

  /** Siblings: other children of the synset's hypernyms, or adjectives similar to the same head. */
  private siblings(s: Synset): Synset[] {
    const parents = s.pos === "a" ? s.similar : s.hypernyms;
    const out: Synset[] = [];
    for (const pid of parents) {
      const parent = this.wn.synsets.get(pid);
      if (!parent) continue;
      for (const cid of s.pos === "a" ? parent.similar : parent.hyponyms) {
        const c = this.wn.synsets.get(cid);
        if (c && c.id !== s.id && familiarWord(c)) out.push(c);
      }
    }
    return out;
  }

  /** Candidate synsets for distractors, most plausible first (siblings shuffled, then same file). */
  private candidates(rng: Rng, focus: Synset, difficulty: number): Synset[] {
    const sameFile = rng
      .shuffle([...(this.byLexFile.get(`${focus.pos}:${focus.lexFile}`) ?? [])])
      .slice(0, 60);
    if (difficulty === 1) return sameFile;
    return [...rng.shuffle(this.siblings(focus)), ...sameFile];
  }

  private ancestors(s: Synset): Set<string> {
    const out = new Set<string>();
    const stack = [...s.hypernyms];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      stack.push(...(this.wn.synsets.get(id)?.hypernyms ?? []));
    }
    return out;
  }

  /** Question types are drawn evenly; a type retries with other synsets until one fits it. */
  draw(rng: Rng): TaskItem | null {
    const qtype = rng.pick(QTYPES);
    const difficulty = 1 + rng.int(3);
    for (let tries = 0; tries < 50; tries++) {
      const item = this.drawFor(rng, qtype, difficulty);
      if (item) return item;
    }
    return null;
  }

  private drawFor(rng: Rng, qtype: QType, difficulty: number): TaskItem | null {
    const focus = rng.pick(this.familiar);
    const nOptions = rng.pick(OPTION_COUNTS[difficulty]!);
    const word = familiarWord(focus)!;
    let question: string;
    let answer: string;
    /** Texts that must differ from every distractor's text. */
    let accept: (c: Synset) => string | undefined;

    if (qtype === "word_for_definition") {
      if (!usableDefinition(focus, 160)) return null;
      question = `Which word means "${focus.definition}"?`;
      answer = word;
      accept = (c) => {
        const w = familiarWord(c);
        return w && !shareSense(this.wn, w, word) && !focus.words.includes(w) ? w : undefined;
      };
    } else if (qtype === "definition_for_word") {
      if (!isMonosemous(this.wn, word) || !usableDefinition(focus, 90)) return null;
      question = `What does "${word}" mean?`;
      answer = focus.definition;
      accept = (c) => {
        if (!usableDefinition(c, 90) || c.words.some((w) => w.toLowerCase() === word)) return undefined;
        return c.definition;
      };
    } else if (qtype === "synonym") {
      const other = focus.words.find((w, i) => w !== word && isPlainWord(w) && focus.tagCounts[i]! > 0);
      if (!other) return null;
      question = `Which word is a synonym of "${word}"?`;
      answer = other;
      accept = (c) => {
        const w = familiarWord(c);
        if (!w || shareSense(this.wn, w, word) || shareSense(this.wn, w, other)) return undefined;
        return w;
      };
    } else {
      if (focus.pos !== "n" || !isMonosemous(this.wn, word) || focus.hypernyms.length !== 1) return null;
      const parent = this.wn.synsets.get(focus.hypernyms[0]!)!;
      const parentWord = familiarWord(parent);
      if (!parentWord || parentWord === word) return null;
      const ancestors = this.ancestors(focus);
      question = `${article(word)} ${word} is a kind of what?`;
      answer = parentWord;
      accept = (c) => {
        const w = familiarWord(c);
        if (!w || w === word || shareSense(this.wn, w, parentWord)) return undefined;
        const senses = this.wn.lemmaSynsets.get(w.toLowerCase()) ?? [];
        if (senses.some((id) => ancestors.has(id) || id === focus.id)) return undefined;
        return w;
      };
      const grand = parent.hypernyms[0] ? this.wn.synsets.get(parent.hypernyms[0]) : undefined;
      return this.finish(rng, focus, qtype, difficulty, nOptions, question, answer, accept, grand ?? parent);
    }
    return this.finish(rng, focus, qtype, difficulty, nOptions, question, answer, accept, focus);
  }

  private finish(
    rng: Rng,
    focus: Synset,
    qtype: QType,
    difficulty: number,
    nOptions: number,
    question: string,
    answer: string,
    accept: (c: Synset) => string | undefined,
    /** Whose siblings make good distractors (the hypernym's siblings for hypernym questions). */
    around: Synset,
  ): TaskItem | null {
    const texts = new Set([answer.toLowerCase()]);
    const distractors: string[] = [];
    for (const c of this.candidates(rng, around, difficulty)) {
      if (distractors.length === nOptions - 1) break;
      if (c.id === focus.id) continue;
      const t = accept(c);
      if (!t || texts.has(t.toLowerCase())) continue;
      texts.add(t.toLowerCase());
      distractors.push(t);
    }
    if (distractors.length < nOptions - 1) return null;
    const options = [...distractors];
    const at = rng.int(nOptions);
    options.splice(at, 0, answer);
    const letter = LETTERS[at]!;
    const listed = options.map((o, i) => `${LETTERS[i]}. ${o}`).join("\n");
    return {
      prompt: `${question}\n${listed}\n${QA_INSTRUCTION}`,
      difficulty,
      style: "rule",
      groundTruth: letter,
      reference: qaReference(answer, letter),
      extra: { qtype, synset: focus.id, options, answer_text: answer },
    };
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "An" : "A";
}

/**
 * The WordNet facts the qa questions are drawn from, as plain text lines, for every synset with a
 * familiar word: its plain lemmas with the definition (`dog, domestic dog: a member of ...`), the
 * definition back to the lemmas (`a member of ... = dog, domestic dog`: answering "which word means"
 * needs this direction), and for a noun its first hypernym (`A dog is a kind of canine.`). A
 * closed-book knowledge source for a model to pretrain on (train-base --sft-fact-lines): no question,
 * option list or answer letter is in it.
 */
export function qaFactLines(wn: WordNet = loadWordNet()): string[] {
  const lines: string[] = [];
  for (const s of wn.synsets.values()) {
    const word = familiarWord(s);
    if (!word) continue;
    const lemmas = [word, ...s.words.filter((w) => w !== word && isPlainWord(w))].join(", ");
    lines.push(`${lemmas}: ${s.definition}`, `${s.definition} = ${lemmas}`);
    const parent = s.pos === "n" && s.hypernyms[0] ? wn.synsets.get(s.hypernyms[0]) : undefined;
    const parentWord = parent && familiarWord(parent);
    if (parentWord && parentWord !== word) lines.push(`${article(word)} ${word} is a kind of ${parentWord}.`);
  }
  return lines;
}

export const qaTask: TaskGenerator = {
  name: "qa",
  ability: "qa",
  createDrawer(): Drawer {
    const builder = new QaBuilder(loadWordNet());
    return (rng) => builder.draw(rng);
  },
};
