import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createPairwiseJudgeReward,
  PairwiseJudgeConfig,
  type PairwiseJudgeReward,
} from "../src/rewards/judge/pairwise.js";
import { parseVerdict } from "../src/rewards/judge/pairwise-prompt.js";
import type { RewardSample } from "../src/rewards/types.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";

let server: FakeOpenAiServer;
before(async () => {
  server = await startFakeOpenAiServer();
});
after(async () => {
  await server.close();
});

/** A judge that prefers the answer mentioning "dragon" (ties when both or neither do). */
const prefersDragon = (a: string, b: string) => {
  const da = a.includes("dragon");
  const db = b.includes("dragon");
  return da === db ? "C" : da ? "A" : "B";
};

function judge(overrides: Record<string, unknown> = {}): PairwiseJudgeReward {
  const cfg = PairwiseJudgeConfig.parse({
    model: "fake-judge",
    base_url: server.baseUrl,
    retries: 2,
    backoff_ms: 1,
    max_backoff_ms: 5,
    timeout_ms: 2000,
    ...overrides,
  });
  return createPairwiseJudgeReward(cfg);
}

function sample(response: string, reference = "A quiet story about a lighthouse."): RewardSample {
  return {
    dataSource: "writing",
    prompt: [{ role: "user", content: "Write a short story." }],
    response,
    groundTruth: reference,
  };
}

test("the verdict is the last [[A]]/[[B]]/[[C]] in the reply, and absent when there is none", () => {
  assert.equal(parseVerdict("Format is [[A]], [[B]] or [[C]]. Verdict: [[B]]"), "B");
  assert.equal(parseVerdict("tie: [[ C ]]"), "C");
  assert.equal(parseVerdict("A is better"), undefined);
});

test("a response preferred in both orders wins: reward +1, metric 1, two judge calls", async () => {
  server.behaviour = { verdict: prefersDragon };
  server.resetCounters();
  const reward = judge();
  const [r] = await reward.scoreBatch([sample("Once a dragon lived by the sea.")]);
  assert.equal(r!.status, "ok");
  assert.equal(r!.score, 1);
  assert.equal(r!.details.metric, 1);
  assert.deepEqual(r!.details.verdicts, ["A", "B"]);
  assert.equal(server.calls, 2);
  await reward.close();
});

test("a loss maps to -0.5 and a tie to +0.25 by default, and the mapping is configurable", async () => {
  server.behaviour = { verdict: prefersDragon };
  const reward = judge();
  const [loss, tie] = await reward.scoreBatch([
    sample("A cat sat.", "The dragon slept."),
    sample("No monsters here.", "None here either."),
  ]);
  assert.deepEqual(
    [loss!.score, loss!.details.metric, tie!.score, tie!.details.metric],
    [-0.5, 0, 0.25, 0.5],
  );
  const custom = judge({ rewards: { win: 2, tie: 0, loss: -1 } });
  const [l2] = await custom.scoreBatch([sample("A cat sat.", "The dragon slept.")]);
  assert.equal(l2!.score, -1);
  await reward.close();
  await custom.close();
});

test("a judge that always says A flips with the order, so the sample scores a tie and the flip is counted", async () => {
  server.behaviour = { verdict: () => "A" };
  const reward = judge();
  const results = await reward.scoreBatch([sample("x dragon"), sample("y"), sample("z")]);
  for (const r of results) {
    assert.equal(r.status, "ok");
    assert.equal(r.details.verdict, "tie");
    assert.equal(r.details.position_flip, true);
    assert.equal(r.score, 0.25);
  }
  const stats = reward.judgeStats();
  assert.equal(stats.positionFlipRate, 1);
  assert.equal(stats.tieRate, 1);
  await reward.close();
});

test("HTTP 500 on the first two calls is retried and the sample still scores ok", async () => {
  server.behaviour = { verdict: prefersDragon, failFirst: 2 };
  server.resetCounters();
  const reward = judge({ both_orders: false, retries: 3 });
  const [r] = await reward.scoreBatch([sample("the dragon")]);
  assert.equal(r!.status, "ok");
  assert.equal(r!.score, 1);
  assert.equal(server.calls, 3);
  assert.equal(reward.judgeStats().retries, 2);
  await reward.close();
});

test("persistent HTTP 500 ends as judge_error with the failure score, after exactly retries+1 calls", async () => {
  server.behaviour = { failFirst: 1_000_000 };
  server.resetCounters();
  const reward = judge({ both_orders: false, retries: 2, failure_score: -0.25 });
  const [r] = await reward.scoreBatch([sample("the dragon")]);
  assert.equal(r!.status, "judge_error");
  assert.equal(r!.score, -0.25);
  assert.match(String(r!.details.error), /500/);
  assert.equal(server.calls, 3);
  assert.equal(reward.judgeStats().statusCounts.judge_error, 1);
  await reward.close();
});

test("a client error (HTTP 400) is not retried", async () => {
  server.behaviour = { failFirst: 1_000_000, failStatus: 400 };
  server.resetCounters();
  const reward = judge({ both_orders: false, retries: 3 });
  const [r] = await reward.scoreBatch([sample("x")]);
  assert.equal(r!.status, "judge_error");
  assert.equal(server.calls, 1);
  await reward.close();
});

test("a hanging server times out each attempt and ends as judge_error marked timed_out", async () => {
  server.behaviour = { hang: true };
  server.resetCounters();
  const reward = judge({ both_orders: false, retries: 1, timeout_ms: 80 });
  const started = Date.now();
  const [r] = await reward.scoreBatch([sample("x")]);
  assert.equal(r!.status, "judge_error");
  assert.equal(r!.details.timed_out, true);
  assert.equal(server.calls, 2);
  assert.ok(Date.now() - started < 1500, "timeouts must bound the call");
  await reward.close();
});

test("a reply with no verdict is re-asked once, then scored judge_unparseable (never a silent 0)", async () => {
  server.behaviour = { garbage: true };
  server.resetCounters();
  const reward = judge();
  const [r] = await reward.scoreBatch([sample("x")]);
  assert.equal(r!.status, "judge_unparseable");
  assert.equal(r!.score, 0);
  assert.equal(r!.details.metric, undefined);
  assert.equal(server.calls, 4, "two orders, each asked twice");
  await reward.close();
});

test("no more calls are in flight than the concurrency limit", async () => {
  server.behaviour = { verdict: prefersDragon, latencyMs: 15 };
  server.resetCounters();
  const reward = judge({ concurrency: 3 });
  const samples = Array.from({ length: 12 }, (_, i) => sample(`story ${i}`));
  const results = await reward.scoreBatch(samples);
  assert.equal(results.length, 12);
  assert.equal(server.calls, 24);
  assert.equal(server.maxInFlight, 3);
  await reward.close();
});

test("the longer-answer-wins rate counts decided verdicts between answers of different length", async () => {
  server.behaviour = { verdict: (a, b) => (a.length >= b.length ? "A" : "B") };
  const reward = judge();
  await reward.scoreBatch([
    sample("a much longer answer than the reference", "short"),
    sample("s", "a longer reference"),
  ]);
  const stats = reward.judgeStats();
  assert.equal(stats.longerWinsRate, 1);
  assert.equal(stats.positionFlipRate, 0);
  assert.ok(stats.latencyP50Ms !== null && stats.latencyP99Ms! >= stats.latencyP50Ms);
  await reward.close();
});

test("a ground truth that is not a reference string is an error naming the data source", async () => {
  server.behaviour = {};
  const reward = judge();
  await assert.rejects(reward.scoreBatch([{ ...sample("x"), groundTruth: 42 }]), /writing.*ground_truth/);
  await reward.close();
});
