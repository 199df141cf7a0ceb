// Keyword look-up examples (src/embedded/keyword-task.ts): every "No" is a minimal pair of a "Yes", the
// labels agree with the rubric's keyword check, the curriculum's shapes hold, and replies are scored by
// their first word.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  heldOutKeywordLookups,
  KEYWORD_CURRICULUM,
  keywordLookupAccuracy,
  keywordLookupExamples,
} from "../src/embedded/keyword-task.js";
import { LOOKUP_CURRICULUM } from "../src/embedded/train-base.js";
import { Rng } from "../src/engine/rng.js";
import { keywordCoverage } from "../src/rewards/keywords.js";

const glosses = [
  "entity: that which is perceived or known or inferred to have its own distinct existence",
  'residence: any address at which you dwell more than temporarily; "a person can have several residences"',
  "sedulously: in a sedulous manner showing great care and steady effort",
  "river: a large natural stream of water flowing toward the sea",
  "stone: a lump or mass of hard consolidated mineral matter",
  "odd line without a colon",
];

const parse = (prompt: string) => {
  const m = /^Does this text use all of these words: (.+)\? Text: "(.*)"$/.exec(prompt);
  assert.ok(m, `prompt shape: ${prompt}`);
  const words = m[1]!.replace(" and ", ", ").split(", ");
  return { words, text: m[2]! };
};

test("keyword look-ups: half Yes, half No, each No the same text with one listed word replaced", () => {
  const examples = keywordLookupExamples(glosses, 200, new Rng(3));
  assert.equal(examples.length, 200);
  const yes = examples.filter((e) => e.reply.startsWith("Yes"));
  const no = examples.filter((e) => e.reply.startsWith("No"));
  assert.equal(yes.length, 100);
  assert.equal(no.length, 100);
  for (const e of yes) {
    const { words, text } = parse(e.prompt);
    assert.equal(keywordCoverage(text, words), 1, e.prompt);
  }
  for (const e of no) {
    const { words, text } = parse(e.prompt);
    const missing = /^No, it misses (\w+)\.$/.exec(e.reply)?.[1];
    assert.ok(missing && words.includes(missing), e.reply);
    assert.ok(keywordCoverage(text, words) < 1, `the rubric must call it a miss: ${e.prompt}`);
    assert.ok(!new RegExp(`\\b${missing}\\b`).test(text), e.prompt);
    // its minimal pair: a Yes with the same words whose text differs only where the missing word was
    const pair = yes.some((y) => {
      const other = parse(y.prompt);
      const [a, b] = [other.text.split(" "), text.split(" ")];
      if (other.words.join() !== words.join() || a.length !== b.length) return false;
      const differ = a.filter((w, i) => w !== b[i]);
      return differ.length > 0 && differ.every((w) => new RegExp(`\\b${missing}\\b`).test(w));
    });
    assert.ok(pair, `no Yes text for ${e.prompt}`);
  }
  assert.deepEqual(
    keywordLookupExamples(glosses, 50, new Rng(3)),
    keywordLookupExamples(glosses, 50, new Rng(3)),
  );
});

test("the curriculum's shapes bound the listed words, and the held-out probe is the last shape", () => {
  const one = keywordLookupExamples(glosses, 40, new Rng(1), KEYWORD_CURRICULUM[0]);
  assert.ok(one.every((e) => parse(e.prompt).words.length === 1));
  assert.ok(
    one.every((e) => !parse(e.prompt).text.includes("; ")),
    "one definition per text",
  );
  // train-base pairs each option look-up stage with a keyword look-up stage
  assert.equal(KEYWORD_CURRICULUM.length, LOOKUP_CURRICULUM.length);
  const last = KEYWORD_CURRICULUM.at(-1)!;
  const held = heldOutKeywordLookups(glosses, 60);
  assert.equal(held.length, 60);
  assert.ok(held.every((e) => parse(e.prompt).words.length <= last.maxWords));
  assert.ok(held.some((e) => parse(e.prompt).words.length > 1));
  assert.deepEqual(held, heldOutKeywordLookups(glosses, 60));
  assert.throws(
    () => keywordLookupExamples(glosses, 1, new Rng(1), { maxWords: 0, maxDefinitions: 1 }),
    /maxWords and maxDefinitions must be >= 1/,
  );
  assert.throws(() => keywordLookupExamples(["odd line"], 1, new Rng(1)), /no usable gloss lines/);
  // every listable word also stands in another form that still matches it, so no "No" can be made
  assert.throws(
    () =>
      keywordLookupExamples(
        ["walks: walk walks walk walks", "runs: run runs run runs"],
        4,
        new Rng(1),
        KEYWORD_CURRICULUM[0],
      ),
    /too few glosses make a minimal pair/,
  );
});

test("keyword look-up accuracy scores replies by their first word", () => {
  const held = heldOutKeywordLookups(glosses, 8);
  const right = held.map((e) => (e.reply.startsWith("Yes") ? "Yes." : "No, it misses something."));
  assert.equal(keywordLookupAccuracy(right, held), 1);
  const wrong = held.map((e) => (e.reply.startsWith("Yes") ? "No" : "Yes, it uses every word."));
  assert.equal(keywordLookupAccuracy(wrong, held), 0);
  assert.equal(
    keywordLookupAccuracy(
      held.map(() => "Yes"),
      held,
    ),
    0.5,
  );
  assert.equal(
    keywordLookupAccuracy(
      held.map(() => "Yesterday"),
      held,
    ),
    0,
  );
});
