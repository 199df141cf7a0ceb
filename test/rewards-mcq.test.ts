// The mcq verifier (choice extraction, keys, scoring) and the short-form QA -> multiple choice helper.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { createMcqReward, extractChoice, mcqKey } from "../src/rewards/mcq.js";
import { toMultipleChoice } from "../src/rewards/mcq-build.js";
import type { RewardSample } from "../src/rewards/types.js";

const OPTIONS = ["London", "Paris", "Rome", "Berlin"];

function choice(response: string, options?: readonly string[]) {
  const c = extractChoice(response, options);
  return { letter: c.letter, status: c.status, via: c.via };
}

test("the chosen letter is read from (B), B., Answer: B, \\boxed{B} and the option's text", () => {
  assert.deepEqual(choice("(B)"), { letter: "B", status: "ok", via: "bare" });
  assert.deepEqual(choice("B."), { letter: "B", status: "ok", via: "bare" });
  assert.deepEqual(choice("**D**"), { letter: "D", status: "ok", via: "bare" });
  assert.deepEqual(choice("B. Paris, because it is the capital."), {
    letter: "B",
    status: "ok",
    via: "marked",
  });
  assert.deepEqual(choice("I think (C) is right."), { letter: "C", status: "ok", via: "marked" });
  assert.deepEqual(choice("Answer: B"), { letter: "B", status: "ok", via: "statement" });
  assert.deepEqual(choice("After some thought, the answer is (d)."), {
    letter: "D",
    status: "ok",
    via: "statement",
  });
  assert.deepEqual(choice("\\boxed{B}"), { letter: "B", status: "ok", via: "boxed" });
  assert.deepEqual(choice("so \\boxed{\\text{C}}"), { letter: "C", status: "ok", via: "boxed" });
  assert.deepEqual(choice("It is Paris, of course.", OPTIONS), {
    letter: "B",
    status: "ok",
    via: "option_text",
  });
  // Without the options the text alone names no letter.
  assert.deepEqual(choice("It is Paris, of course."), { letter: null, status: "no_answer", via: null });
});

test("explicit evidence beats weaker evidence: \\boxed over a statement, a statement over listed options", () => {
  assert.deepEqual(choice("Answer: B\n\nOn reflection, \\boxed{C}"), {
    letter: "C",
    status: "ok",
    via: "boxed",
  });
  assert.deepEqual(choice("A) London\nB) Paris\nC) Rome\nAnswer: B"), {
    letter: "B",
    status: "ok",
    via: "statement",
  });
  // Option letters only count inside the option range: with 4 options, "(E)" is no choice.
  assert.deepEqual(choice("(E)", OPTIONS), { letter: null, status: "no_answer", via: null });
});

test("several different letters are wrong_format; no letter at all is no_answer", () => {
  const two = extractChoice("(A) or maybe (C)");
  assert.equal(two.status, "wrong_format");
  assert.equal(two.letter, null);
  assert.deepEqual(two.candidates, ["A", "C"]);
  assert.equal(extractChoice("Answer: B. No wait, answer: C").status, "wrong_format");
  assert.deepEqual(extractChoice("It is Paris or Rome", OPTIONS).candidates, ["B", "C"]);
  assert.equal(extractChoice("It is Paris or Rome", OPTIONS).status, "wrong_format");
  // The same letter twice is one choice.
  assert.deepEqual(choice("(B) ... so (B)"), { letter: "B", status: "ok", via: "marked" });
  // Lowercase words are not letters; "I" is a pronoun here.
  assert.deepEqual(choice("the answer is a tough one"), { letter: null, status: "no_answer", via: null });
  assert.deepEqual(choice("I don't know.", OPTIONS), { letter: null, status: "no_answer", via: null });
  assert.deepEqual(choice(""), { letter: null, status: "no_answer", via: null });
});

test("an option mentioned inside a longer matching option does not count on its own", () => {
  const options = ["New York", "York", "Boston"];
  assert.deepEqual(choice("The city is New York.", options), {
    letter: "A",
    status: "ok",
    via: "option_text",
  });
});

test("the key is read from a letter, an index, or an option text, with options from ground truth or extra_info", () => {
  assert.deepEqual(mcqKey("(b)", undefined, "t"), { letter: "B", options: undefined });
  assert.equal(mcqKey({ answer: 2, options: OPTIONS }, undefined, "t").letter, "C");
  assert.equal(mcqKey({ answer: " rome ", options: OPTIONS }, undefined, "t").letter, "C");
  const fromMap = mcqKey("Berlin", { options: { A: "London", B: "Paris", C: "Rome", D: "Berlin" } }, "t");
  assert.equal(fromMap.letter, "D");
  assert.deepEqual(fromMap.options, OPTIONS);
  assert.throws(() => mcqKey("Madrid", { options: OPTIONS }, "qa sample 3"), /qa sample 3: MCQ ground truth/);
  assert.throws(() => mcqKey({ options: OPTIONS }, undefined, "t"), /needs an 'answer' field/);
  assert.throws(() => mcqKey("B", { options: { A: "x", C: "y" } }, "t"), /extra_info\.options/);
});

function qa(response: string, groundTruth: unknown, extraInfo?: Record<string, unknown>): RewardSample {
  return {
    dataSource: "qa",
    prompt: [{ role: "user", content: "Capital of France?" }],
    response,
    groundTruth,
    extraInfo,
  };
}

test("the mcq reward scores exact match of the letter, with every status and configurable scores", async () => {
  const reward = createMcqReward({ incorrectScore: -0.5, wrongFormatScore: -1, noAnswerScore: -2 });
  const [right, wrong, both, none, byText] = await reward.scoreBatch([
    qa("The answer is (B).", "B"),
    qa("The answer is (C).", "B"),
    qa("(A) or (B)", "B"),
    qa("No idea.", "B"),
    qa("Paris.", { answer: "Paris" }, { options: OPTIONS }),
  ]);
  assert.deepEqual([right!.score, right!.status, right!.details.metric], [1, "ok", 1]);
  assert.equal(right!.details.expected, "B");
  assert.equal(right!.details.chosen, "B");
  assert.deepEqual([wrong!.score, wrong!.status, wrong!.details.metric], [-0.5, "ok", 0]);
  assert.equal(wrong!.details.chosen, "C");
  assert.deepEqual([both!.score, both!.status, both!.details.metric], [-1, "wrong_format", 0]);
  assert.deepEqual([none!.score, none!.status, none!.details.metric], [-2, "no_answer", 0]);
  assert.deepEqual([byText!.score, byText!.status, byText!.details.via], [1, "ok", "option_text"]);
  await assert.rejects(reward.scoreBatch([qa("(B)", 42)]), /mcq sample 0 \(qa\): MCQ ground truth/);
});

test("toMultipleChoice uses the given distractors first and keeps the answer among the options", () => {
  const item = toMultipleChoice({
    question: "Capital of France?",
    answer: "Paris",
    distractors: ["London", "Rome", "Berlin"],
    pool: ["Madrid", "Lisbon"],
    seed: 3,
  });
  assert.deepEqual([...item.options].sort(), ["Berlin", "London", "Paris", "Rome"]);
  assert.equal(item.options[item.answerLetter.charCodeAt(0) - 65], "Paris");
  const lines = item.options.map((o, i) => `${String.fromCharCode(65 + i)}) ${o}`).join("\n");
  assert.equal(
    item.prompt,
    `Capital of France?\n\n${lines}\n\nAnswer with the letter of the correct option.`,
  );
});

test("distractors are drawn from other answers, skipping blanks, duplicates and the answer itself", () => {
  const pool = ["paris", " ", "Rome", "Rome", "Berlin", "Madrid", "Lisbon", "Oslo"];
  const seen = new Set<string>();
  for (let seed = 0; seed < 20; seed++) {
    const item = toMultipleChoice({ question: "Q", answer: "Paris", pool, numOptions: 4, seed });
    assert.equal(item.options.length, 4);
    assert.equal(new Set(item.options.map((o) => o.toLowerCase())).size, 4, "options are distinct");
    assert.equal(item.options.filter((o) => o.toLowerCase() === "paris").length, 1);
    for (const o of item.options) if (o !== "Paris") seen.add(o);
  }
  // Over 20 seeds the draw reaches every usable pool entry, and nothing else.
  assert.deepEqual([...seen].sort(), ["Berlin", "Lisbon", "Madrid", "Oslo", "Rome"]);
});

test("the shuffle is reproducible from the seed, and the key letter follows the answer", () => {
  const input = { question: "Q", answer: "right", pool: ["w1", "w2", "w3", "w4", "w5"], numOptions: 5 };
  const a = toMultipleChoice({ ...input, seed: 11 });
  const b = toMultipleChoice({ ...input, seed: 11 });
  assert.deepEqual(a, b);
  // An Rng with the same seed gives the same item as the number.
  assert.deepEqual(toMultipleChoice({ ...input, seed: new Rng(11) }), a);
  const letters = new Set<string>();
  const orders = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const item = toMultipleChoice({ ...input, seed });
    assert.equal(item.options[item.answerLetter.charCodeAt(0) - 65], "right");
    letters.add(item.answerLetter);
    orders.add(item.options.join(","));
  }
  // The answer's position is not fixed: over 40 seeds it lands on every letter.
  assert.deepEqual([...letters].sort(), ["A", "B", "C", "D", "E"]);
  assert.ok(orders.size > 20, `only ${orders.size} distinct orders`);
});

test("too few distinct distractors, or a bad option count, is an error that says what is missing", () => {
  assert.throws(
    () =>
      toMultipleChoice({ question: "Capital of France?", answer: "Paris", pool: ["Rome", "rome", "PARIS"] }),
    /need 3 distinct distractors for "Capital of France\?", found 1/,
  );
  assert.throws(
    () => toMultipleChoice({ question: "Q", answer: "a", pool: ["b"], numOptions: 1 }),
    /2\.\.26/,
  );
});

test("an item built by toMultipleChoice round-trips through the mcq reward", async () => {
  const item = toMultipleChoice({
    question: "Largest planet?",
    answer: "Jupiter",
    pool: ["Mars", "Venus", "Earth", "Saturn"],
    seed: 5,
  });
  const wrongLetter = item.answerLetter === "A" ? "B" : "A";
  const reward = createMcqReward();
  const [right, wrong, byText] = await reward.scoreBatch([
    qa(`Answer: ${item.answerLetter}`, item.answerLetter, { options: item.options }),
    qa(`Answer: ${wrongLetter}`, item.answerLetter, { options: item.options }),
    qa("Jupiter is the largest.", item.answerLetter, { options: item.options }),
  ]);
  assert.equal(right!.score, 1);
  assert.equal(wrong!.score, 0);
  assert.equal(byText!.score, 1);
});
