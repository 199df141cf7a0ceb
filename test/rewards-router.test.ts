import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ConfigError } from "../src/config/load.js";
import { createRewardRouter, loadRewardRouter, UnknownDataSourceError } from "../src/rewards/router.js";
import type { RewardSample } from "../src/rewards/types.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";
import { tempDir } from "./helpers/temp-dir.js";

let judgeServer: FakeOpenAiServer;
before(async () => {
  judgeServer = await startFakeOpenAiServer();
});
after(async () => {
  await judgeServer.close();
});

const exactMatch = {
  type: "string_check",
  input: "{{sample.output_text}}",
  reference: "{{item.ground_truth}}",
  operation: "eq",
};

function sample(dataSource: string, response: string, groundTruth: unknown = "yes"): RewardSample {
  return { dataSource, prompt: [{ role: "user", content: "Say yes." }], response, groundTruth };
}

test("an exact data_source key wins over globs, and the first matching glob in file order wins", async () => {
  const router = createRewardRouter(
    {
      rewards: {
        "math_*": { ...exactMatch, weight: 2 },
        "*": { ...exactMatch, weight: 5 },
        math_hard: { ...exactMatch, weight: 3 },
      },
    },
    "inline.yaml",
  );
  const results = await router.scoreBatch([
    sample("math_easy", "yes"),
    sample("math_hard", "yes"),
    sample("poetry", "yes"),
  ]);
  assert.deepEqual(
    results.map((r) => r.score),
    [2, 3, 5],
  );
  await router.close();
});

test("an unknown data_source fails the batch with an error naming it", async () => {
  const router = createRewardRouter({ rewards: { qa: exactMatch } }, "inline.yaml");
  await assert.rejects(
    router.scoreBatch([sample("qa", "yes"), sample("astrology", "yes")]),
    (err: unknown) => {
      assert.ok(err instanceof UnknownDataSourceError);
      assert.equal(err.dataSource, "astrology");
      assert.match(err.message, /astrology/);
      return true;
    },
  );
  assert.equal(router.has("qa"), true);
  assert.equal(router.has("astrology"), false);
  await router.close();
});

test("config errors name the file and the full field path, nested graders included", () => {
  const dir = tempDir("rewards-cfg-");
  const file = join(dir, "rewards.yaml");
  writeFileSync(
    file,
    [
      "rewards:",
      "  writing:",
      "    type: judge_pairwise",
      "    model: m",
      "    timeout_ms: -5",
      "  qa:",
      "    type: telepathy",
      "  mixed:",
      "    type: multi",
      "    calculate_output: 'a +* b'",
      "    graders:",
      "      a: {type: string_check, input: x, reference: y, operation: sorta}",
      "",
    ].join("\n"),
  );
  assert.throws(
    () => loadRewardRouter(file),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.ok(err.message.includes(file));
      assert.match(err.message, /rewards\.writing\.timeout_ms/);
      assert.match(err.message, /rewards\.qa\.type: unknown reward type "telepathy"/);
      assert.match(err.message, /rewards\.mixed\.graders\.a\.operation/);
      assert.match(err.message, /rewards\.mixed\.calculate_output/);
      return true;
    },
  );
});

test("a mixed batch comes back in input order while judge calls overlap with rule-based scoring", async () => {
  judgeServer.behaviour = {
    latencyMs: 60,
    verdict: (a, b) => (a.includes("dragon") ? "A" : b.includes("dragon") ? "B" : "C"),
  };
  const router = createRewardRouter(
    {
      rewards: {
        qa: exactMatch,
        writing: { type: "judge_pairwise", model: "fake", base_url: judgeServer.baseUrl, concurrency: 64 },
      },
    },
    "inline.yaml",
  );
  const batch = [
    sample("writing", "a dragon tale", "a plain tale"),
    sample("qa", "yes"),
    sample("writing", "a quiet tale", "a dragon tale"),
    sample("qa", "no"),
  ];
  judgeServer.resetCounters();
  const results = await router.scoreBatch(batch);
  assert.deepEqual(
    results.map((r) => r.score),
    [1, 1, -0.5, 0],
  );
  assert.equal(judgeServer.maxInFlight, 4, "both samples' two orders were in flight together");
  const stats = router.judgeStats();
  assert.equal(stats.writing?.judged, 2);
  assert.deepEqual([router.isJudged("writing"), router.isJudged("qa")], [true, false]);
  await router.close();
});

test("the format reward adds format.weight to weight * task score, and the metric stays the task's", async () => {
  const router = createRewardRouter(
    { rewards: { qa: { ...exactMatch, weight: 0.9, format: { pattern: "^yes$", weight: 0.1 } } } },
    "inline.yaml",
  );
  const [good, wrongButFormatted] = await router.scoreBatch([sample("qa", "yes"), sample("qa", "yes", "no")]);
  assert.ok(Math.abs(good!.score - 1.0) < 1e-12);
  assert.equal(good!.details.format_ok, true);
  assert.ok(Math.abs(wrongButFormatted!.score - 0.1) < 1e-12);
  assert.equal(wrongButFormatted!.details.metric ?? 0, 0);
  await router.close();
});

test("in gate mode a response that misses the format is wrong_format and never reaches the judge", async () => {
  judgeServer.behaviour = { verdict: () => "A" };
  judgeServer.resetCounters();
  const router = createRewardRouter(
    {
      rewards: {
        writing: {
          type: "judge_pairwise",
          model: "fake",
          base_url: judgeServer.baseUrl,
          format: { pattern: "<think>.*</think>", mode: "gate", fail_score: -1 },
        },
      },
    },
    "inline.yaml",
  );
  const [r] = await router.scoreBatch([sample("writing", "no thinking here", "ref")]);
  assert.equal(r!.status, "wrong_format");
  assert.equal(r!.score, -1);
  assert.equal(judgeServer.calls, 0);
  const [ok] = await router.scoreBatch([sample("writing", "<think>\nhmm\n</think> answer", "ref")]);
  assert.equal(ok!.status, "ok");
  assert.equal(judgeServer.calls, 2);
  await router.close();
});

test("a multi grader combines named sub-graders with its calculate_output formula", async () => {
  const router = createRewardRouter(
    {
      rewards: {
        qa: {
          type: "multi",
          graders: {
            exact: exactMatch,
            loose: { ...exactMatch, operation: "ilike" },
          },
          calculate_output: "0.25 * exact + 0.75 * loose",
        },
      },
    },
    "inline.yaml",
  );
  const [both, onlyLoose] = await router.scoreBatch([sample("qa", "yes"), sample("qa", "YES, yes!")]);
  assert.equal(both!.score, 1);
  assert.equal(onlyLoose!.score, 0.75);
  assert.equal(onlyLoose!.details.metric, 0.75);
  await router.close();
});

test("a multi grader's calculate_metric keeps the task metric while calculate_output shapes the reward", async () => {
  const graders = { exact: exactMatch, loose: { ...exactMatch, operation: "ilike" } };
  const router = createRewardRouter(
    {
      rewards: {
        qa: { type: "multi", graders, calculate_output: "exact + 0.5 * loose", calculate_metric: "exact" },
      },
    },
    "inline.yaml",
  );
  const [both, onlyLoose] = await router.scoreBatch([sample("qa", "yes"), sample("qa", "YES, yes!")]);
  assert.deepEqual([both!.score, both!.details.metric], [1.5, 1]);
  assert.deepEqual([onlyLoose!.score, onlyLoose!.details.metric], [0.5, 0]);
  await router.close();
  assert.throws(
    () =>
      createRewardRouter(
        {
          rewards: {
            qa: { type: "multi", graders, calculate_output: "exact", calculate_metric: "exact + x" },
          },
        },
        "inline.yaml",
      ),
    (err: unknown) => err instanceof Error && /rewards\.qa\.calculate_metric: .*x/s.test(err.message),
  );
});

test("a multi grader whose formula divides by a zero score fails that sample only, as judge_error", async () => {
  const router = createRewardRouter(
    {
      rewards: {
        qa: {
          type: "multi",
          graders: { exact: exactMatch, loose: { ...exactMatch, operation: "ilike" } },
          calculate_output: "loose / exact",
        },
      },
    },
    "inline.yaml",
  );
  const [both, onlyLoose] = await router.scoreBatch([sample("qa", "yes"), sample("qa", "YES, yes!")]);
  assert.deepEqual([both!.status, both!.score], ["ok", 1]);
  assert.equal(onlyLoose!.status, "judge_error");
  assert.equal(onlyLoose!.score, 0);
  assert.match(String(onlyLoose!.details.error), /calculate_output "loose \/ exact": division by zero/);
  assert.deepEqual(onlyLoose!.details.scores, { exact: 0, loose: 1 });
  await router.close();
});

test("the shipped configs/rewards.yaml validates and routes the four tasks", async () => {
  const router = loadRewardRouter("configs/rewards.yaml");
  assert.deepEqual(router.patterns.sort(), ["code", "math", "qa", "writing"]);
  const [math, qa] = await router.scoreBatch([
    sample("math", "So the answer is \\boxed{\\frac{1}{2}}.", "0.5"),
    sample("qa", "The answer is (C).", "C"),
  ]);
  assert.deepEqual([math!.status, math!.score], ["ok", 1]);
  assert.deepEqual([qa!.status, qa!.score], ["ok", 1]);
  await router.close();
});
