import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, test } from "node:test";
import { evaluateJudge, formatJudgeEval } from "../src/embedded/eval-judge.js";
import { writingInfo } from "../src/embedded/judge-pairs.js";
import { policyAnswers } from "../src/embedded/policy-answers.js";
import { LocalChatModel } from "../src/models/chat-model.js";
import type { ChatBackend } from "../src/rewards/judge/backend.js";
import { readRows } from "../src/tasks/io.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

after(removeTempDirs);

const writing = {
  train: await readRows("datasets/writing/train.jsonl"),
  test: await readRows("datasets/writing/test.jsonl"),
};

test("policy answers: one greedy answer then sampled ones per prompt, reproducible", async () => {
  const policy = LocalChatModel.load(writeTinyChatModel(tempDir("policy-")), { maxBatchRows: 8 });
  const rows = writing.test.slice(0, 3);
  const o = { samples: 3, maxTokens: 8, seed: 5 };
  const a = await policyAnswers(policy, rows, o);
  assert.equal(a.length, 3);
  for (const answers of a) assert.equal(answers.length, 3);
  assert.deepEqual(await policyAnswers(policy, rows, o), a, "same seed, same answers");
  const greedy = await policy.complete({ messages: rows[1]!.prompt, temperature: 0, maxTokens: 8 });
  assert.equal(a[1]![0], greedy.choices[0]!.text.trim(), "the first answer is the greedy one");
});

test("judge evaluation: a judge that always says [[A]] agrees only where A is right and always flips", async () => {
  const budgets = new Set<number>();
  const alwaysA: ChatBackend = {
    complete: async (_messages, opts) => {
      budgets.add(opts.maxTokens);
      return "A is better. [[A]]";
    },
  };
  const policy = LocalChatModel.load(writeTinyChatModel(tempDir("policy-")), { maxBatchRows: 8 });
  const r = await evaluateJudge(
    alwaysA,
    writing,
    { pairs: 12, canaryPrompts: 2, policyPrompts: 4, seed: 1, maxTokens: 64 },
    policy,
  );
  assert.deepEqual([...budgets], [64]); // every judgment asked with the given reply budget
  assert.equal(r.pairs, 12);
  assert.equal(r.judgments, 24);
  // each pair is asked in both orders: exactly one order is right, unless the rubric calls a tie
  const ties = r.agreementByBand.tie?.n ?? 0;
  assert.ok(ties > 0 && ties < 24);
  assert.ok(
    Math.abs(r.agreement - (24 - ties) / 48) < 1e-9,
    `agreement ${r.agreement} with ${ties} tie judgments`,
  );
  assert.equal(r.flipRate, 1, "A in both orders is a flip every time");
  // combined as the writing reward does, every flip is a tie: right exactly on the tie pairs
  assert.ok(Math.abs(r.agreementPerPair - ties / 2 / 12) < 1e-9, `per pair ${r.agreementPerPair}`);
  assert.equal(r.agreementPerPairByBand.tie?.agreement, 1);
  assert.equal(r.agreementPerPairByBand.large?.agreement, 0);
  assert.match(formatJudgeEval(r), /agreement per pair, both orders combined .*: \d+\.\d% of 12/);
  // a judge that always says A: every judgment lands in the A column, ties in the C row
  assert.deepEqual(r.confusion.C, { A: ties, B: 0, C: 0, none: 0 });
  assert.equal(r.confusion.A.A + r.confusion.B.A + r.confusion.C.A, 24);
  // every pair counts once for each of its two kinds (once when both are the same kind)
  const kindJudgments = Object.values(r.agreementByKind).reduce((n, k) => n + k.n, 0);
  assert.ok(kindJudgments > 24 && kindJudgments <= 48, `${kindJudgments} kind judgments`);
  for (const k of Object.values(r.agreementByKind)) assert.ok(k.agreement >= 0 && k.agreement <= 0.5);
  // every judgment counts once under the check that decides its pair; an always-A judge misses every tie
  assert.equal(
    Object.values(r.agreementByCheck).reduce((n, k) => n + k.n, 0),
    r.judgments,
  );
  assert.equal(r.agreementByCheck.tie?.n, ties);
  assert.equal(r.agreementByCheck.tie?.agreement, 0);
  // every judgment counts once under its pair of kinds and gap band
  assert.equal(
    Object.values(r.agreementByKindPair).reduce((n, k) => n + k.n, 0),
    r.judgments,
  );
  for (const key of Object.keys(r.agreementByKindPair))
    assert.match(key, /^[a-z_:]+.* vs .+ \((tie|small|medium|large)\)$/);
  // always-A is one verdict per ordered pair of kinds, so the best such choice does at least as well,
  // and at least as well as the commonest verdict overall
  assert.ok(r.kindPairOracle >= r.agreement && r.kindPairOracle <= 1, `oracle ${r.kindPairOracle}`);
  const wanted = (v: "A" | "B" | "C") =>
    r.confusion[v].A + r.confusion[v].B + r.confusion[v].C + r.confusion[v].none;
  assert.ok(r.kindPairOracle >= Math.max(wanted("A"), wanted("B"), wanted("C")) / r.judgments);
  assert.match(formatJudgeEval(r), /knowing only each answer's kind .*: \d+\.\d%/);
  assert.equal(r.canary.winRatePerJudgment, 0.5, "the canary wins whenever it is shown as A");
  assert.equal(r.canary.winRatePerPair, 0, "but never in both orders");
  assert.equal(r.unparseable, 0);
  const p = r.policy!;
  assert.equal(p.prompts, 4);
  assert.equal(p.flipRate, 1);
  assert.deepEqual(p.judge, { win: 0, tie: 1, loss: 0 }, "a flip counts as a tie, as in the reward");
  assert.ok(Math.abs(p.rubric.win + p.rubric.tie + p.rubric.loss - 1) < 1e-9);
  assert.ok(p.agreement <= 0.5);
  // the printout names where the prompts came from (held out, or the judge's own sft prompts)
  assert.match(formatJudgeEval(r), /^held-out pairs: 12 /m);
  assert.match(formatJudgeEval(r, "sft"), /^pairs from the sft split \(the judge's training prompts\): 12 /m);
  assert.match(formatJudgeEval(r, "sft"), /4 sft prompts/);
  assert.equal(r.listedCopies, undefined, "no reply lists the required words");
});

test("judge evaluation counts the listed replies whose list is exactly the prompt's required words", async () => {
  const keywords = new Map(writing.test.map((row) => [writingInfo(row).question, writingInfo(row).keywords]));
  // copies the list right on the first test prompt's pairs, drops the last word on the others
  const first = writingInfo(writing.test[0]!).question;
  const lister: ChatBackend = {
    complete: async (messages) => {
      const question = messages[1]!.content.split("\n")[1]!;
      const words = keywords.get(question);
      assert.ok(words, `a test question: ${question}`);
      const listed = question === first ? words : words.slice(0, -1);
      return `Required words: ${listed.join(", ") || "none"}. Both are fine. [[C]]`;
    },
  };
  const r = await evaluateJudge(lister, writing, {
    pairs: 8,
    canaryPrompts: 0,
    policyPrompts: 0,
    seed: 1,
    maxTokens: 48,
  });
  // four pairs per prompt (one per gap band), each in both orders; both prompts name required words,
  // so dropping one makes the second prompt's lists wrong
  assert.ok(writing.test.slice(0, 2).every((row) => writingInfo(row).keywords.length > 0));
  assert.deepEqual(r.listedCopies, { replies: 16, exact: 8 });
  assert.match(
    formatJudgeEval(r),
    /list the required words first: 16 of 16; the list exactly the prompt's: 8 \(50\.0% of judgments\)/,
  );
});

test("eval-judge CLI: --prompts takes test or sft, anything else exits 2 naming the flag", () => {
  const run = spawnSync(process.execPath, ["dist/src/embedded/eval-judge.js", "--prompts", "train"], {
    encoding: "utf8",
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--prompts must be test or sft, got "train"/);
});
