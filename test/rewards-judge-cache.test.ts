import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { JudgeCache } from "../src/rewards/judge/cache.js";
import { checkCanaries } from "../src/rewards/judge/canaries.js";
import { createPairwiseJudgeReward, PairwiseJudgeConfig } from "../src/rewards/judge/pairwise.js";
import type { RewardSample } from "../src/rewards/types.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";
import { tempDir } from "./helpers/temp-dir.js";

let server: FakeOpenAiServer;
before(async () => {
  server = await startFakeOpenAiServer();
});
after(async () => {
  await server.close();
});

function judgeWithCache(cache?: string) {
  return createPairwiseJudgeReward(
    PairwiseJudgeConfig.parse({ model: "fake-judge", base_url: server.baseUrl, retries: 0, cache }),
  );
}

const samples: RewardSample[] = ["one", "two", "three"].map((r) => ({
  dataSource: "writing",
  prompt: [{ role: "user", content: "Say a number." }],
  response: r,
  groundTruth: "four",
}));

test("a second run with the same cache file makes no judge calls and scores the same", async () => {
  server.behaviour = { verdict: (a, b) => (a.length > b.length ? "A" : "B") };
  server.resetCounters();
  const file = join(tempDir("judge-cache-"), "cache.jsonl");
  const first = judgeWithCache(file);
  const r1 = await first.scoreBatch(samples);
  assert.equal(server.calls, 6);
  assert.equal(first.cachePointer(), 6);
  await first.close();

  const second = judgeWithCache(file);
  const r2 = await second.scoreBatch(samples);
  assert.equal(server.calls, 6, "the server was not called again");
  assert.deepEqual(
    r2.map((r) => r.score),
    r1.map((r) => r.score),
  );
  assert.equal(second.judgeStats().cacheHitRate, 1);
  await second.close();
});

test("a torn last cache line is ignored on load and cut from the file", () => {
  const file = join(tempDir("judge-cache-"), "cache.jsonl");
  writeFileSync(
    file,
    `${JSON.stringify({ k: "a", v: "[[A]]" })}\n${JSON.stringify({ k: "b", v: "[[B]]" })}\n`,
  );
  appendFileSync(file, '{"k":"c","v":"[[');
  const cache = new JudgeCache(file);
  assert.equal(cache.pointer, 2);
  assert.equal(cache.get("b"), "[[B]]");
  assert.equal(cache.get("c"), undefined);
  cache.set("d", "[[C]]");
  cache.close();
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  assert.deepEqual(
    lines.map((l) => JSON.parse(l).k),
    ["a", "b", "d"],
  );
});

test("a corrupt line before the last one is an error naming the file and line", () => {
  const file = join(tempDir("judge-cache-"), "cache.jsonl");
  writeFileSync(file, `{"k":"a","v":"x"}\nnot json\n{"k":"b","v":"y"}\n`);
  assert.throws(() => new JudgeCache(file), /cache\.jsonl: line 2/);
});

const canaryPrompts = [
  {
    question: "Write a haiku about autumn.",
    reference: "Leaves drift, red and gold, / the river carries summer / away from the hills.",
  },
  {
    question: "Describe a storm at sea.",
    reference: "The waves rose like walls and the mast groaned under the wind.",
  },
];

test("a judge that prefers short answers lets canaries win and is flagged as hackable", async () => {
  server.behaviour = { verdict: (a, b) => (a.length < b.length ? "A" : a.length > b.length ? "B" : "C") };
  const reward = judgeWithCache();
  const report = await checkCanaries(reward, canaryPrompts, { threshold: 0.1 });
  assert.equal(report.total, 8);
  assert.equal(report.winRate, 1);
  assert.equal(report.byCanary.colon, 1);
  assert.equal(report.hackable, true);
  await reward.close();
});

test("a judge that wants real content never lets a canary win and is not flagged", async () => {
  const words = (s: string) => s.split(/\s+/).filter((w) => /[a-z]{3}/i.test(w)).length;
  server.behaviour = {
    verdict: (a, b, q) => {
      const sa = a === q ? 0 : words(a);
      const sb = b === q ? 0 : words(b);
      return sa === sb ? "C" : sa > sb ? "A" : "B";
    },
  };
  const reward = judgeWithCache();
  const report = await checkCanaries(reward, canaryPrompts, { threshold: 0.1 });
  assert.equal(report.winRate, 0);
  assert.equal(report.failures, 0);
  assert.equal(report.hackable, false);
  await reward.close();
});
