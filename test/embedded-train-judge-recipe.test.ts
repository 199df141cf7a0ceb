// The train-judge defaults are the recipe of the committed models/omni-tiny-judge, so that `npm run
// model:train-judge` rebuilds what is shipped.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { JudgePair } from "../src/embedded/judge-pairs.js";
import {
  DEFAULT_JUDGE_RECIPE,
  decisionWeights,
  finishedRounds,
  parseCheckWeights,
  parseContinuations,
  parseJudgeRecipe,
  selectByCheck,
} from "../src/embedded/train-judge.js";
import { encodeChatExample } from "../src/embedded/train-loop.js";
import { Rng } from "../src/engine/rng.js";
import { loadTokenizer } from "../src/models/tokenizer.js";

test("the default recipe is the one models/omni-tiny-judge was trained with", () => {
  const log = JSON.parse(readFileSync("models/omni-tiny-judge/training_log.json", "utf8")) as {
    recipe: Record<string, unknown>;
    phases: { round: number; seed: number; steps: number }[];
  };
  const defaults = DEFAULT_JUDGE_RECIPE as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(log.recipe)) {
    if (key !== "out") assert.deepEqual(defaults[key], value, `recipe.${key}`);
  }
  for (const key of Object.keys(defaults)) assert.ok(key in log.recipe, `recipe.${key} is logged`);
  // one logged phase per round, each on the next seed, with the round's steps
  const rounds = [{ steps: DEFAULT_JUDGE_RECIPE.steps }, ...DEFAULT_JUDGE_RECIPE.continuations];
  assert.equal(log.phases.length, rounds.length);
  log.phases.forEach((p, k) => {
    assert.equal(p.round, k + 1);
    assert.equal(p.seed, DEFAULT_JUDGE_RECIPE.seed + k);
    assert.equal(p.steps, rounds[k]!.steps);
  });
  assert.deepEqual(parseJudgeRecipe([]), DEFAULT_JUDGE_RECIPE);
});

test("command-line options override the defaults", () => {
  const r = parseJudgeRecipe([
    "--steps",
    "300",
    "--lr",
    "5e-4",
    "--continuations",
    "100:1e-4,50:3e-5",
    "--out",
    "/tmp/j",
  ]);
  assert.equal(r.steps, 300);
  assert.equal(r.lr, 5e-4);
  assert.deepEqual(r.continuations, [
    { steps: 100, lr: 1e-4 },
    { steps: 50, lr: 3e-5 },
  ]);
  assert.equal(r.out, "/tmp/j");
  assert.equal(r.extraPrompts, DEFAULT_JUDGE_RECIPE.extraPrompts);
  assert.deepEqual(parseJudgeRecipe(["--continuations", "none"]).continuations, []);
  // a round may set its own row length, packer lookahead and pair bands
  assert.deepEqual(parseContinuations("7000:3e-4,5000:1e-4:seq=448:fill=8:bands=medium+small+tie"), [
    { steps: 7000, lr: 3e-4 },
    { steps: 5000, lr: 1e-4, seq: 448, fill: 8, bands: ["medium", "small", "tie"] },
  ]);
  // and its own policy samples per prompt, batching of each pair with its swap, and isolated packing
  assert.deepEqual(parseContinuations("3000:3e-4:samples=1,2000:1e-4:samples=0:paired:isolate"), [
    { steps: 3000, lr: 3e-4, policySamples: 1 },
    { steps: 2000, lr: 1e-4, policySamples: 0, pairedBatches: true, isolateExamples: true },
  ]);
});

test("--reply scored / listed weigh the verdict after the totals or the copied words", () => {
  assert.equal(parseJudgeRecipe(["--reply", "scored"]).reply, "scored");
  assert.equal(parseJudgeRecipe([]).reply, "listed"); // the shipped judge's reply: the required words first
  assert.throws(() => parseJudgeRecipe(["--reply", "long"]), /--reply: "long" is not a reply style/);
  const tokenizer = loadTokenizer("models/omni-tiny-judge");
  const weighted = (reply: string, style?: "scored" | "listed") => {
    const ids = encodeChatExample(tokenizer, [{ role: "user", content: "q" }], reply).reply;
    const w = decisionWeights(tokenizer, ids, style, 8);
    return ids.flatMap((id, i) => (w[i] === 8 ? [tokenizer.decode([id])] : []));
  };
  assert.deepEqual(weighted("A 62, B 48. B reads more naturally; A reads less naturally. [[B]]", "scored"), [
    "6",
    "2",
    "4",
    "8",
    " B",
  ]);
  assert.deepEqual(weighted("A 53, B 50. Both answers are about equally good. [[C]]", "scored").at(-1), " B");
  assert.deepEqual(weighted("B reads more naturally; A reads less naturally. [[B]]"), ["B"]);
  assert.deepEqual(
    weighted(
      "Required words: hit, ball. B uses the required words; A misses required words. [[B]]",
      "listed",
    ),
    [" B"],
  );
  assert.throws(() => weighted("B uses the required words [[B]]", "listed"), /must open "Required words: /);
  assert.throws(() => weighted("B reads more naturally. [[B]]", "scored"), /must open "A dd, B dd\."/);
});

test("malformed options name the option and the value", () => {
  assert.throws(() => parseContinuations("7000"), /--continuations: "7000" is not STEPS:LR/);
  assert.throws(() => parseContinuations("7000:fast"), /"7000:fast"/);
  assert.throws(() => parseContinuations("0:1e-4"), /"0:1e-4"/);
  assert.throws(() => parseJudgeRecipe(["--lr", "high"]), /--lr: "high" is not a number/);
  assert.throws(() => parseJudgeRecipe(["--bands", "medium,hard"]), /--bands: "hard" is not a gap band/);
  assert.deepEqual(parseJudgeRecipe(["--bands", "small,tie"]).bands, ["small", "tie"]);
  assert.throws(() => parseJudgeRecipe(["--fill", "1.5"]), /--fill: "1.5" is not a whole number >= 0/);
  assert.throws(() => parseJudgeRecipe(["--seq", "0"]), /--seq: "0" is not a whole number >= 1/);
  assert.throws(() => parseContinuations("7000:3e-4:seq=0"), /"seq=0" in "7000:3e-4:seq=0"/);
  assert.throws(() => parseContinuations("7000:3e-4:depth=2"), /"depth=2"/);
  assert.throws(() => parseContinuations("7000:3e-4:bands=huge"), /--bands: "huge"/);
  assert.throws(() => parseContinuations("7000:3e-4:samples=-1"), /"samples=-1" in "7000:3e-4:samples=-1"/);
  assert.throws(() => parseContinuations("7000:3e-4:samples="), /"samples="/);
  assert.throws(() => parseContinuations("7000:3e-4:paired=no"), /"paired=no"/);
  // paired batches with the packer's lookahead: refused when parsed, before any sampling
  assert.throws(
    () => parseJudgeRecipe(["--paired-batches", "--fill", "8"]),
    /round 1: paired batches need fill 0 .*got fill 8/,
  );
  assert.throws(
    () => parseJudgeRecipe(["--fill", "8", "--continuations", "100:1e-4,100:1e-4:paired"]),
    /round 3: paired batches need fill 0/,
  );
  assert.equal(
    parseJudgeRecipe(["--fill", "8", "--continuations", "100:1e-4:fill=0:paired"]).continuations[0]
      ?.pairedBatches,
    true,
  );
});

test("--resume keeps the rounds a stopped run of the same recipe finished, and refuses another recipe's", () => {
  const dir = mkdtempSync(join(tmpdir(), "judge-resume-"));
  const path = join(dir, "training_log.json");
  const recipe = { ...DEFAULT_JUDGE_RECIPE, out: dir };
  assert.deepEqual(finishedRounds(path, recipe), { phases: [], seconds: 0 }); // nothing yet: start afresh
  const round1 = { round: 1, seed: 0, steps: 7000, firstLoss: 2.18, finalLoss: 0.219 };
  writeFileSync(path, JSON.stringify({ recipe, train_wall_seconds: 5040, phases: [round1] }));
  const done = finishedRounds(path, recipe);
  assert.equal(done.phases.length, 1);
  assert.equal(done.seconds, 5040);
  assert.throws(
    () => finishedRounds(path, { ...recipe, lr: 5e-4 }),
    /another recipe \(lr: 0\.001 there, 0\.0005 here\)/,
  );
  assert.throws(
    () => finishedRounds(path, { ...recipe, continuations: [] }),
    /another recipe \(continuations/,
  );
  writeFileSync(path, JSON.stringify({ recipe, phases: [round1, round1, round1] }));
  assert.throws(() => finishedRounds(path, recipe), /lists 3 rounds; the recipe has 2/);
  writeFileSync(path, '{"recipe": {');
  assert.throws(() => finishedRounds(path, recipe), new RegExp(`${path} is not valid JSON`));
});

test("--check-weights oversamples edited pairs by the check that decides them", () => {
  assert.deepEqual(parseJudgeRecipe(["--check-weights", "keywords=3,tie=2"]).checkWeights, {
    keywords: 3,
    tie: 2,
  });
  assert.equal(parseJudgeRecipe([]).checkWeights, undefined); // the shipped recipe draws every pair
  assert.throws(() => parseCheckWeights("keyword=3"), /"keyword=3" is not CHECK=W/);
  assert.throws(() => parseCheckWeights("tie=0"), /"tie=0"/);
  // 3,000 pairs each decided by keywords, 3,000 ties, 3,000 by grammar: kept about 3 : 2 : 1
  const score = (total: number, keywords: number, grammar: number) => ({
    total,
    checks: { keywords, fluency: 0.5, grammar, repetition: 1, length: 1, noCopy: 1 },
  });
  const pair = (scoreA: ReturnType<typeof score>, scoreB: ReturnType<typeof score>) =>
    ({ scoreA, scoreB }) as unknown as JudgePair;
  const byKeywords = pair(score(0.9, 1, 1), score(0.5, 0, 1));
  const tie = pair(score(0.6, 1, 1), score(0.6, 1, 1));
  const byGrammar = pair(score(0.9, 1, 1), score(0.6, 1, 0));
  const pairs = [...Array(3000)].flatMap(() => [byKeywords, tie, byGrammar]);
  const kept = selectByCheck(pairs, { keywords: 3, tie: 2 }, new Rng(1));
  const count = (p: JudgePair) => kept.filter((q) => q === p).length;
  assert.equal(count(byKeywords), 3000, "weight = max: every pair kept");
  assert.ok(Math.abs(count(tie) / 3000 - 2 / 3) < 0.03, `ties kept ${count(tie)}`);
  assert.ok(Math.abs(count(byGrammar) / 3000 - 1 / 3) < 0.03, `grammar kept ${count(byGrammar)}`);
});
