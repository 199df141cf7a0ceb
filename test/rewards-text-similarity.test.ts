// text_similarity metrics against values computed by hand (the working is in each comment).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bleu,
  bleuTokens,
  createTextSimilarityGrader,
  fuzzyMatch,
  gleu,
  rouge,
  rougeTokens,
  TEXT_SIMILARITY_METRICS,
  textSimilarity,
} from "../src/rewards/text-similarity.js";

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}

test("fuzzy_match is 2*LCS/(|a|+|b|) over characters", () => {
  // kitten / sitting: LCS "ittn" = 4; 2*4/(6+7) = 8/13 (rapidfuzz fuzz.ratio = 61.54).
  close(fuzzyMatch("kitten", "sitting"), 8 / 13, "kitten/sitting");
  // abcd / acbd: LCS 3 ("abd"); 6/8.
  close(fuzzyMatch("abcd", "acbd"), 0.75, "abcd/acbd");
  close(fuzzyMatch("same", "same"), 1, "identical");
  close(fuzzyMatch("abc", ""), 0, "one empty");
  close(fuzzyMatch("", ""), 1, "both empty");
  // Case matters: "Paris" / "paris" share "aris" = 4; 8/10.
  close(fuzzyMatch("Paris", "paris"), 0.8, "case");
  // Characters, not UTF-16 units: "é" is one character; "café" / "cafe": LCS 3; 6/8.
  close(fuzzyMatch("café", "cafe"), 0.75, "accent");
});

test("bleu: clipped n-gram precisions up to 4, geometric mean, brevity penalty", () => {
  // cand: the cat sat on the mat / ref: the cat sat on a mat (6 tokens each, BP = 1)
  //   1-grams: the(min 2,1) + cat sat on mat = 5/6;  2-grams: the cat, cat sat, sat on = 3/5
  //   3-grams: the cat sat, cat sat on = 2/4;  4-grams: the cat sat on = 1/3
  //   (5/6 * 3/5 * 2/4 * 1/3)^(1/4) = (1/12)^(1/4)
  close(bleu("the cat sat on the mat", "the cat sat on a mat"), (1 / 12) ** 0.25, "bleu 4-gram");
  // A 2-token candidate uses orders 1..2 only (effective order); both precisions are 1;
  // BP = exp(1 - 6/2) = exp(-2).
  close(bleu("the cat", "the cat sat on the mat"), Math.exp(-2), "brevity");
  // a b c d / a x c y: 1-grams 2/4; 2, 3, 4-grams have no match and get 1/2, 1/4, 1/8 matches:
  //   (2/4 * (1/2)/3 * (1/4)/2 * (1/8)/1)^(1/4) = (1/768)^(1/4)
  close(bleu("a b c d", "a x c y"), (1 / 768) ** 0.25, "exp smoothing");
  close(bleu("identical sentence here , ok", "identical sentence here , ok"), 1, "identical");
  assert.equal(bleu("", "reference"), 0);
  // No overlap at all, 3 tokens (order 3): (1/2 / 3 * 1/4 / 2 * 1/8 / 1)^(1/3) = (1/384)^(1/3).
  close(bleu("x y z", "a b c"), (1 / 384) ** (1 / 3), "no overlap");
  // Punctuation marks are tokens of their own; case is kept.
  assert.deepEqual(bleuTokens("Hello, world!"), ["Hello", ",", "world", "!"]);
});

test("gleu is min(precision, recall) over all 1..4-grams together", () => {
  // the cat sat / the cat ran: cand grams 3+2+1 = 6, ref 6; matches: the, cat, "the cat" = 3 -> 3/6.
  close(gleu("the cat sat", "the cat ran"), 0.5, "same length");
  // the cat / the cat sat: cand grams 2+1 = 3, ref 3+2+1 = 6; matches 2+1 = 3 -> min(1, 1/2).
  close(gleu("the cat", "the cat sat"), 0.5, "short candidate");
  assert.equal(gleu("", "x"), 0);
});

test("rouge_n and rouge_l are F1 over lowercased word tokens", () => {
  // rouge_l: the cat sat on the mat / the cat was on the mat: LCS the cat on the mat = 5; P = R = 5/6.
  close(rouge("the cat sat on the mat", "the cat was on the mat", "l"), 5 / 6, "rouge_l equal length");
  // the cat / the big cat sat: LCS 2; P = 1, R = 1/2; F = 2/3.
  close(rouge("the cat", "the big cat sat", "l"), 2 / 3, "rouge_l asymmetric");
  // Order matters for L: a b c / c b a: LCS 1; F = 1/3.
  close(rouge("a b c", "c b a", "l"), 1 / 3, "rouge_l order");
  close(textSimilarity("rouge_l", "The CAT!", "the cat"), 1, "rouge_l ignores case and punctuation");
  // rouge_1: the the the / the cat: clipped overlap 1; P = 1/3, R = 1/2; F = 2/5.
  close(rouge("the the the", "the cat", 1), 0.4, "rouge_1 clipping");
  // rouge_2: the cat sat / the cat ran: bigram overlap 1 of 2 each; F = 1/2.
  close(textSimilarity("rouge_2", "the cat sat", "the cat ran"), 0.5, "rouge_2");
  // rouge_3 on 3-token texts that differ in the last word: no trigram in common.
  assert.equal(textSimilarity("rouge_3", "the cat sat", "the cat ran"), 0);
  // rouge_5 needs 5-grams: identical 5-token texts score 1, shorter ones 0.
  assert.equal(textSimilarity("rouge_5", "a b c d e", "a b c d e"), 1);
  assert.equal(textSimilarity("rouge_5", "a b c d", "a b c d"), 0);
  assert.deepEqual(rougeTokens("Don't STOP-now, 42x"), ["don", "t", "stop", "now", "42x"]);
  assert.throws(() => rouge("a", "a", 0), /positive integer/);
});

test("textSimilarity dispatches every listed metric", () => {
  assert.deepEqual(
    [...TEXT_SIMILARITY_METRICS],
    ["fuzzy_match", "bleu", "gleu", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5", "rouge_l"],
  );
  for (const metric of TEXT_SIMILARITY_METRICS) {
    assert.equal(textSimilarity(metric, "one two three four five", "one two three four five"), 1, metric);
  }
  close(textSimilarity("fuzzy_match", "kitten", "sitting"), 8 / 13, "fuzzy");
  close(textSimilarity("bleu", "a b c d", "a x c y"), (1 / 768) ** 0.25, "bleu");
});

test("the text_similarity grader renders its templates and reports the metric and pass mark", async () => {
  const grader = createTextSimilarityGrader({
    input: "{{sample.output_text}}",
    reference: "{{item.reference_answer}}",
    evaluation_metric: "fuzzy_match",
    pass_threshold: 0.7,
  });
  const [near, far] = await grader.scoreBatch([
    {
      dataSource: "d",
      prompt: [],
      response: "kitten",
      groundTruth: null,
      extraInfo: { reference_answer: "sitting" },
    },
    {
      dataSource: "d",
      prompt: [],
      response: "abcd",
      groundTruth: null,
      extraInfo: { reference_answer: "acbd" },
    },
  ]);
  close(near!.score, 8 / 13, "near score");
  assert.equal(near!.status, "ok");
  assert.equal(near!.details.passed, false);
  assert.equal(near!.details.evaluation_metric, "fuzzy_match");
  close(far!.score, 0.75, "far score");
  assert.equal(far!.details.passed, true);
  close(far!.details.metric as number, 0.75, "metric");
});

test("meteor and cosine are refused at config time, and a missing template field names the sample", async () => {
  for (const metric of ["meteor", "cosine"]) {
    assert.throws(
      () =>
        createTextSimilarityGrader({
          input: "{{sample.output_text}}",
          reference: "x",
          evaluation_metric: metric as "bleu",
        }),
      /meteor and cosine are not implemented/,
    );
  }
  const grader = createTextSimilarityGrader({
    input: "{{sample.output_text}}",
    reference: "{{item.reference_answer}}",
    evaluation_metric: "bleu",
  });
  await assert.rejects(
    grader.scoreBatch([{ dataSource: "essay", prompt: [], response: "r", groundTruth: "g" }]),
    /text_similarity sample 0 \(essay\): reference: .*item has no field 'reference_answer'/,
  );
});
