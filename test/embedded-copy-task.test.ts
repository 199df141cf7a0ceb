// Synthetic copy examples (src/embedded/copy-task.ts): every reply is spelled out in its prompt, the
// three kinds alternate, and the same seed gives the same examples.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  copyAccuracy,
  copyCountFor,
  copyExamples,
  heldOutCopyPrompts,
  letterTokenIndex,
  lookupExamples,
  lookupNamedText,
  QA_LOOKUP_SHAPE,
} from "../src/embedded/copy-task.js";
import { encodeLookup } from "../src/embedded/train-base.js";
import { encodeChatExample } from "../src/embedded/train-loop.js";
import { Rng } from "../src/engine/rng.js";
import { loadPretrained, loadTokenizerFor } from "../src/models/pretrained.js";
import { extractChoice } from "../src/rewards/mcq.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

after(removeTempDirs);

const glosses = [
  "entity: that which is perceived or known or inferred to have its own distinct existence",
  'residence: any address at which you dwell more than temporarily; "a person can have several residences"',
  "sedulously: in a sedulous manner",
  "odd line without a colon",
  "x: too short",
];

test("copy examples repeat text and words from their own prompt, reproducibly", () => {
  const examples = copyExamples(glosses, 30, new Rng(5));
  assert.equal(examples.length, 30);
  for (const [i, e] of examples.entries()) {
    if (i % 3 === 0) {
      assert.match(e.prompt, /^Repeat this text exactly: "/);
      assert.ok(e.prompt.endsWith(`"${e.reply}"`), e.prompt);
      assert.ok(!e.reply.includes(";"), "only the definition, not the example sentence");
    } else {
      // named bare, with a leading space, as the writing prompts name their required words
      for (const w of e.reply.split(" ")) assert.ok(e.prompt.includes(` ${w}`), `${w} in ${e.prompt}`);
      assert.ok(!e.prompt.includes('"'), e.prompt);
      assert.ok(["entity", "residence", "sedulously"].includes(e.reply.split(" ")[0]!));
    }
  }
  assert.deepEqual(copyExamples(glosses, 30, new Rng(5)), examples);
  assert.throws(() => copyExamples(["no colon here"], 3, new Rng(1)), /no usable gloss lines/);
});

test("the held-out copy probe is reproducible word-list prompts, and copy shares give the right counts", () => {
  const held = heldOutCopyPrompts(glosses, 10);
  assert.equal(held.length, 10);
  assert.deepEqual(heldOutCopyPrompts(glosses, 10), held);
  for (const h of held) assert.match(h.prompt, /^Repeat these words in order: /);
  // half of 1,000 documents copy examples -> 1,000 of them; a tenth of 900 -> 100
  assert.equal(copyCountFor(1000, 0.5), 1000);
  assert.equal(copyCountFor(900, 0.1), 100);
  assert.equal(copyCountFor(900, 0), 0);
  assert.throws(() => copyCountFor(900, 1), /copy share must be in \[0, 1\)/);
});

test("look-up examples name one of their options, and the reply's letter is that option's", () => {
  const many = Array.from(
    { length: 12 },
    (_, i) => `word${"abcdefghijkl"[i]}: the definition number ${i} of a word`,
  );
  const examples = lookupExamples(many, 30, new Rng(2));
  assert.equal(examples.length, 30);
  const sizes = new Set<number>();
  for (const e of examples) {
    const named = /^Which option is (.+)\?$/m.exec(e.prompt)![1]!;
    const options = [...e.prompt.matchAll(/^([A-H])\. (.+)$/gm)].map((m) => m[2]!);
    sizes.add(options.length);
    assert.ok(options.length >= 4 && options.length <= 8, e.prompt);
    assert.equal(new Set(options).size, options.length, "distinct options");
    const letter = String.fromCharCode(65 + options.indexOf(named));
    assert.equal(e.reply, `It is ${named}, so the answer is (${letter}).`);
    assert.equal(extractChoice(e.reply, options).letter, letter, "the mcq reward reads the same letter");
  }
  assert.ok(sizes.size > 2, "option counts vary");
  assert.deepEqual(lookupExamples(many, 30, new Rng(2)), examples);
  assert.throws(() => lookupExamples(glosses, 3, new Rng(1)), /distinct lemmas/);
});

test("look-up shapes set the option count and the definition lists; the letter token is found", () => {
  const many = Array.from(
    { length: 12 },
    (_, i) => `word${"abcdefghijkl"[i]}: the definition number ${i} of a word`,
  );
  const optionsOf = (prompt: string) => [...prompt.matchAll(/^([A-H])\. (.+)$/gm)].map((m) => m[2]!);
  const two = lookupExamples(many, 20, new Rng(3), { minOptions: 2, maxOptions: 2, definitionShare: 0 });
  for (const e of two) {
    const options = optionsOf(e.prompt);
    assert.equal(options.length, 2, e.prompt);
    for (const o of options) assert.match(o, /^word[a-l]$/, "single lemmas only");
  }
  const defs = lookupExamples(many, 30, new Rng(3), { minOptions: 2, maxOptions: 4, definitionShare: 0.5 });
  const withDefinitions = defs.filter((e) =>
    optionsOf(e.prompt).every((o) => o.startsWith("the definition")),
  );
  assert.equal(withDefinitions.length, 15, "half of the option lists are definitions");
  assert.throws(
    () => lookupExamples(many, 3, new Rng(1), { minOptions: 1, maxOptions: 4, definitionShare: 0 }),
    /options must be within 2\.\.8/,
  );

  const { tokenizer } = loadPretrained(writeTinyChatModel(tempDir("lookup-")));
  for (const e of two.slice(0, 5)) {
    const letter = /\(([A-H])\)\.$/.exec(e.reply)![1]!;
    const { reply } = encodeChatExample(tokenizer, [{ role: "user", content: e.prompt }], e.reply);
    const at = letterTokenIndex(tokenizer, reply, letter);
    assert.equal(tokenizer.decode([reply[at]!]).replace(/[().]/g, "").trim(), letter);
    assert.ok(at > 0 && at < reply.length - 1, "inside the reply, before <|im_end|>");
  }
  assert.throws(() => letterTokenIndex(tokenizer, tokenizer.encode("no letter here"), "C"), /no token/);
});

test("reply-anchored look-ups ask a qa question about another word, and only the reply's letter is taught", () => {
  const many = Array.from(
    { length: 12 },
    (_, i) => `word${"abcdefghijkl"[i]}: the definition number ${i} of a word`,
  );
  const examples = lookupExamples(many, 30, new Rng(2), QA_LOOKUP_SHAPE, "reply");
  const { tokenizer } = loadPretrained(writeTinyChatModel(tempDir("reply-lookup-")));
  for (const e of examples) {
    const [question] = e.prompt.split("\n");
    const options = [...e.prompt.matchAll(/^([A-H])\. (.+)$/gm)].map((m) => m[2]!);
    const named = lookupNamedText(e.reply)!;
    assert.ok(options.includes(named), e.reply);
    assert.match(
      question!,
      /^(Which word means "the definition number \d+ of a word"\?|What does "word[a-l]" mean\?)$/,
    );
    assert.ok(!question!.includes(named), "the question does not name the reply's option");
    const letter = /\(([A-H])\)\.$/.exec(e.reply)![1]!;
    assert.ok(e.prompt.split("\n").includes(`${letter}. ${named}`), "the letter is the named option's");

    const encoded = encodeLookup(tokenizer, e, 2, "reply");
    const at = letterTokenIndex(tokenizer, encoded.reply, letter);
    const masked = tokenizer.encode(`It is ${named},`, { addSpecialTokens: false }).length;
    assert.deepEqual(
      encoded.replyWeights,
      encoded.reply.map((_, i) => (i === at ? 2 : i < masked ? 0 : 1)),
      "the named text weighs 0, the letter 2, the rest 1",
    );
  }
  // the question-anchored default is unchanged by the new parameter
  assert.deepEqual(
    lookupExamples(many, 30, new Rng(2), QA_LOOKUP_SHAPE, "question"),
    lookupExamples(many, 30, new Rng(2)),
  );
  assert.equal(
    encodeLookup(tokenizer, examples[0]!, 1).replyWeights,
    undefined,
    "no weights when none differ",
  );
});

test("the reply look-up probe forces the reply up to a token boundary of the full reply", () => {
  // the probe encodes prompt + "It is X, so the answer is" and lets the model go on: that must be the
  // same tokens the full reply starts with, or the probe would ask about a tokenization never trained
  const tokenizer = loadTokenizerFor("models/omni-tiny");
  const many = Array.from(
    { length: 12 },
    (_, i) => `word${"abcdefghijkl"[i]}: the definition number ${i} of a word`,
  );
  for (const e of lookupExamples(many, 20, new Rng(4), QA_LOOKUP_SHAPE, "reply")) {
    const head = tokenizer.applyChatTemplate([{ role: "user", content: e.prompt }], {
      addGenerationPrompt: true,
    });
    const forced = `It is ${lookupNamedText(e.reply)}, so the answer is`;
    const part = tokenizer.encode(head + forced, { addSpecialTokens: false });
    const full = tokenizer.encode(head + e.reply, { addSpecialTokens: false });
    assert.deepEqual(full.slice(0, part.length), part, e.reply);
  }
});

test("the copy probe runs on a model whose config counts more ids than its tokenizer has", () => {
  // the tiny model's vocab_size (320) is padded past its trained tokenizer's ids, as many checkpoints
  // are; the greedy probe must not emit an id the tokenizer cannot decode
  const { model, tokenizer } = loadPretrained(writeTinyChatModel(tempDir("padded-")));
  assert.ok(model.config.vocab_size > tokenizer.vocabSize, "the test needs a padded vocabulary");
  const held = heldOutCopyPrompts(glosses.slice(0, 3));
  const acc = copyAccuracy(model, tokenizer, held);
  assert.ok(acc.exact >= 0 && acc.exact <= 1 && acc.words >= 0 && acc.words <= 1);
  assert.equal(typeof acc.example, "string");
});
