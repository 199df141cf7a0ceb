import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bandOf,
  candidates,
  listedCopy,
  pairsFor,
  policyPairs,
  rubricContext,
  swapped,
  targetReply,
} from "../src/embedded/judge-pairs.js";
import {
  BigramModel,
  grammarProxy,
  lengthScore,
  noCopyScore,
  repetitionScore,
  rubricVerdict,
  scoreAnswer,
  scoreDigits,
  scoredReply,
  verdictReply,
} from "../src/embedded/judge-rubric.js";
import { Rng } from "../src/engine/rng.js";
import { keywordCoverage } from "../src/rewards/keywords.js";
import type { Row } from "../src/tasks/schema.js";
import { continueStart } from "../src/tasks/writing/generate.js";

const lm = new BigramModel([
  "After that mistake he was under a cloud.",
  "The store sold off the surplus merchandise.",
  "He was waiting for the store to open.",
]);
const prompt =
  'Write a sentence that uses the word "cloud" in the sense "suspicion affecting your reputation".';
const ctx = { prompt, keywords: ["cloud"], lm };

test("each rubric check on hand-worked answers", () => {
  assert.equal(keywordCoverage("Clouds gathered.", ["cloud"]), 1, "inflections count");
  assert.equal(keywordCoverage("The store sold it.", ["store", "surplus"]), 0.5);
  assert.equal(grammarProxy("After that mistake he was under a cloud."), 1);
  assert.equal(grammarProxy("after that mistake he was under a cloud"), 3 / 5, "no capital, no period");
  assert.equal(grammarProxy("The the cloud."), 4 / 5, "a doubled word");
  assert.equal(lengthScore("one two three four"), 1);
  assert.equal(lengthScore("one two"), 0.5);
  assert.equal(lengthScore(Array(60).fill("w").join(" ")), 0.5, "60 words: halfway from 40 to 80");
  assert.equal(noCopyScore("uses the word cloud in the sense", prompt), 0, "every trigram is the prompt's");
  assert.equal(noCopyScore("He was under a cloud.", prompt), 1);
  assert.ok(repetitionScore("a cloud a cloud a cloud a cloud") < 0.5);
  assert.equal(repetitionScore("He was under a cloud."), 1);
});

test("the reference beats its degraded copies and every canary; equal answers tie", () => {
  const ref = scoreAnswer("After that mistake he was under a cloud.", ctx);
  for (const bad of [
    "",
    ":",
    "Thought process:",
    prompt,
    "cloud cloud cloud cloud cloud cloud",
    "mistake after a cloud was under he that.",
  ]) {
    const s = scoreAnswer(bad, ctx);
    assert.equal(
      rubricVerdict(ref, s),
      "A",
      `${JSON.stringify(bad)} scored ${s.total.toFixed(3)} vs ${ref.total.toFixed(3)}`,
    );
    assert.equal(rubricVerdict(s, ref), "B");
  }
  assert.equal(scoreAnswer("", ctx).total, 0);
  assert.equal(rubricVerdict(ref, ref), "C");
  assert.equal(verdictReply(ref, ref), "Both answers are about equally good. [[C]]");
  assert.equal(verdictReply(ref, scoreAnswer("", ctx)), "A answers the question; B is empty. [[A]]");
});

const row = {
  data_source: "writing",
  prompt: [{ role: "user", content: prompt }],
  ability: "writing",
  reward_model: {
    style: "model",
    ground_truth: { reference: "After that mistake he was under a cloud.", keywords: ["cloud"] },
  },
  extra_info: { split: "sft", index: 0, difficulty: 1 },
} as Row;

test("judge pairs cover several gap bands, and swapping A and B swaps the verdict", () => {
  const others = ["The store sold off the surplus merchandise.", "He was waiting for the store to open."];
  assert.ok(candidates(row, others, new Rng(1)).length >= 12);
  const pairs = pairsFor(row, others, lm, new Rng(2), 8);
  assert.equal(pairs.length, 8);
  assert.ok(new Set(pairs.map((p) => p.band)).size >= 3, "pairs at 3+ quality gaps");
  for (const p of pairs) {
    assert.equal(p.band, bandOf(p.scoreA.total - p.scoreB.total));
    const s = swapped(p);
    assert.equal(s.verdict, p.verdict === "C" ? "C" : p.verdict === "A" ? "B" : "A");
    assert.match(targetReply(p), new RegExp(`\\[\\[${p.verdict}\\]\\]$`));
    // the scored reply states both totals in hundredths, then says the same as the verdict reply
    const scored = targetReply(p, "scored");
    assert.equal(scored, `A ${scoreDigits(p.scoreA)}, B ${scoreDigits(p.scoreB)}. ${targetReply(p)}`);
    assert.equal(Number(scored.slice(2, 4)), Math.min(99, Math.round(100 * p.scoreA.total)));
    // the listed reply copies the prompt's required words first
    assert.equal(targetReply(p, "listed"), `Required words: cloud. ${targetReply(p)}`);
    assert.deepEqual(listedCopy(targetReply(p, "listed"), p.keywords), { exact: true, words: ["cloud"] });
  }
});

test("listedCopy reads the words a reply lists, and whether they are exactly the prompt's", () => {
  assert.deepEqual(listedCopy(" Required words: hit, ball. A uses them. [[A]]", ["hit", "ball"]), {
    exact: true,
    words: ["hit", "ball"],
  });
  assert.deepEqual(listedCopy("Required words: hit, bell. [[A]]", ["hit", "ball"]), {
    exact: false,
    words: ["hit", "bell"],
  });
  assert.equal(listedCopy("Required words: ball, hit. [[A]]", ["hit", "ball"])?.exact, false);
  assert.equal(listedCopy("Required words: none. [[C]]", [])?.exact, true);
  // a list cut off before its period is not a copy
  assert.equal(listedCopy("Required words: hit, ball", ["hit", "ball"])?.exact, false);
  assert.equal(listedCopy("A uses the required words. [[A]]", ["hit"]), undefined);
});

test("the scored reply writes every total as two digits", () => {
  const at = (total: number) => ({ total, checks: scoreAnswer("x", ctx).checks });
  assert.deepEqual(
    [0, 0.07, 0.624, 0.995, 1].map((t) => scoreDigits(at(t))),
    ["00", "07", "62", "99", "99"],
  );
  assert.equal(scoredReply(at(0.9), at(0)), "A 90, B 00. A answers the question; B is empty. [[A]]");
});

test("judge pairs can be drawn from chosen gap bands only", () => {
  const others = ["The store sold off the surplus merchandise.", "He was waiting for the store to open."];
  const hard = pairsFor(row, others, lm, new Rng(2), 12, ["medium", "small", "tie"]);
  assert.ok(hard.length > 0);
  assert.ok(
    hard.every((p) => p.band !== "large"),
    `no large-gap pair: ${hard.map((p) => p.band).join(" ")}`,
  );
  const all = pairsFor(row, others, lm, new Rng(2), 12);
  assert.ok(
    all.some((p) => p.band === "large"),
    "the default draws large gaps too",
  );
});

test("policy pairs put each policy answer against the reference, labelled by the rubric", () => {
  const answers = ["After that mistake he was under a cloud.", "", "He was a good to be in a good."];
  const pairs = policyPairs(row, answers, lm, new Rng(3));
  assert.equal(pairs.length, 3);
  pairs.forEach((p, i) => {
    const [own, ref] = p.a.kind === "policy" ? [p.a, p.b] : [p.b, p.a];
    assert.equal(own.text, answers[i]);
    assert.equal(ref.kind, "reference");
    assert.equal(ref.text, "After that mistake he was under a cloud.");
    assert.equal(p.verdict, rubricVerdict(p.scoreA, p.scoreB));
    assert.equal(p.band, bandOf(p.scoreA.total - p.scoreB.total));
  });
  assert.equal(pairs[0]!.verdict, "C", "the reference word for word ties with itself");
  const emptyRef = pairs[1]!.a.kind === "reference" ? "A" : "B";
  assert.equal(pairs[1]!.verdict, emptyRef, "the reference beats an empty answer");
  const many = policyPairs(row, Array(20).fill("He was under a cloud."), lm, new Rng(4));
  assert.equal(new Set(many.map((p) => p.a.kind)).size, 2, "the policy answer is shown as A and as B");
});

test("on a continue prompt the reference, which repeats the given start, beats an unrelated sentence", () => {
  const row = {
    data_source: "writing",
    prompt: [
      { role: "user", content: 'Continue this sentence so that it is complete: "The setting sun ..."' },
    ],
    ability: "writing",
    reward_model: {
      style: "model",
      ground_truth: { reference: "The setting sun sank below the tree line.", keywords: ["setting", "sun"] },
    },
    extra_info: { split: "test", index: 0, wtype: "continue" },
  } as unknown as Row;
  const lmc = new BigramModel([
    "The setting sun sank below the tree line.",
    "The old man was a friend of mine.",
  ]);
  const ctx = rubricContext(row, lmc);
  assert.equal(ctx.prompt.includes("The setting sun"), false, "the start is not counted as copying");
  assert.equal(continueStart(prompt), undefined, "other prompts have no start");
  const reference = scoreAnswer("The setting sun sank below the tree line.", ctx);
  const unrelated = scoreAnswer("The old man was a friend of mine.", ctx);
  assert.equal(reference.checks.noCopy, 1);
  assert.equal(unrelated.checks.keywords, 0);
  assert.equal(rubricVerdict(reference, unrelated), "A");
});
