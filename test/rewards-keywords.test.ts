// The keywords constraint reward, alone and as the gate that keeps a judge from being gamed by one
// fixed string (configs/rewards.yaml's writing entry).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createKeywordsReward, keywordCoverage } from "../src/rewards/keywords.js";
import { loadRewardsConfig } from "../src/rewards/reward-config.js";
import { createRewardRouter } from "../src/rewards/router.js";
import type { RewardSample } from "../src/rewards/types.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";

let judgeServer: FakeOpenAiServer;
before(async () => {
  judgeServer = await startFakeOpenAiServer();
});
after(async () => {
  await judgeServer.close();
});

function sample(
  response: string,
  keywords: unknown,
  reference = "A dog barked at the mailman.",
): RewardSample {
  return {
    dataSource: "writing",
    prompt: [{ role: "user", content: "Write one sentence that uses all of these words: dog, bark." }],
    response,
    groundTruth: { reference, keywords },
  };
}

test("keyword coverage: stems match inflections, exact mode does not, multi-word keywords need every part", () => {
  assert.equal(keywordCoverage("The dogs were barking.", ["dog", "bark"]), 1);
  assert.equal(keywordCoverage("The dogs were barking.", ["dog", "bark"], "exact"), 0);
  assert.equal(keywordCoverage("A dog slept.", ["dog", "bark"]), 0.5);
  assert.equal(keywordCoverage("He took the ice cream.", ["ice cream"]), 1);
  assert.equal(keywordCoverage("He took the ice.", ["ice cream"]), 0);
  assert.equal(keywordCoverage("Anything at all.", []), 1, "no required words: nothing to miss");
  assert.equal(keywordCoverage("", ["dog"]), 0);
});

test("the keywords reward scores the coverage, names the missing words, and rejects a malformed list", async () => {
  const reward = createKeywordsReward({});
  const [full, half] = await reward.scoreBatch([
    sample("My dog barks.", ["dog", "bark"]),
    sample("My cat purrs.", ["cat", "bark"]),
  ]);
  assert.equal(full!.score, 1);
  assert.equal(full!.details.metric, 1);
  assert.equal(half!.score, 0.5);
  assert.deepEqual(half!.details.missing, ["bark"]);
  const [referenceOnly] = await reward.scoreBatch([{ ...sample("x", []), groundTruth: "just a reference" }]);
  assert.equal(referenceOnly!.score, 1, "a row with only a reference has nothing to check");
  await assert.rejects(
    createKeywordsReward({ required: true }).scoreBatch([{ ...sample("x", []), groundTruth: "a reference" }]),
    /data_source writing\): ground_truth\.keywords must be a list of strings/,
  );
  await assert.rejects(reward.scoreBatch([sample("x", [1, 2])]), /ground_truth\.keywords must be a list/);
  assert.throws(() => createKeywordsReward({ match: "fuzzy" } as never), /match/);
});

test("as a gate in a multi reward, a judge-pleasing answer without the prompt's words is capped", async () => {
  // This judge prefers one fixed string to everything: the failure a policy finds by RL.
  const hack = "The answer is the old of the old.";
  judgeServer.behaviour = { verdict: (a, b) => (a === hack ? "A" : b === hack ? "B" : "C") };
  const router = createRewardRouter(
    {
      rewards: {
        writing: {
          type: "multi",
          graders: {
            judge: { type: "judge_pairwise", model: "fake", base_url: judgeServer.baseUrl },
            keywords: { type: "keywords" },
          },
          calculate_output: "min(judge, 2 * keywords - 1)",
        },
      },
    },
    "inline.yaml",
  );
  const [hacked, honest, half] = await router.scoreBatch([
    sample(hack, ["dog", "bark"]),
    sample("The dog barked all night.", ["dog", "bark"]),
    sample("The dog slept all night.", ["dog", "bark"]),
  ]);
  assert.equal(
    hacked!.details.graders && (hacked!.details.graders as Record<string, { score: number }>).judge.score,
    1,
  );
  assert.equal(hacked!.score, -1, "the judge's win does not count without the words");
  assert.equal(hacked!.details.metric, 0);
  assert.equal(honest!.score, 0.25, "a tie with the reference keeps the judge's tie reward");
  assert.equal(honest!.details.metric, 0.5);
  assert.equal(half!.score, 0, "half the words: the judge's reward is capped at 0");
  assert.equal(router.isJudged("writing"), true, "a judge inside a multi reward still counts as judged");
  await router.close();
});

test("the shipped rewards.yaml gates the writing judge with the keywords reward", () => {
  const writing = loadRewardsConfig("configs/rewards.yaml").routes.find((r) => r.pattern === "writing");
  assert.ok(writing && "graders" in writing.spec, "writing is a multi reward");
  assert.deepEqual([...writing.spec.graders.keys()].sort(), ["judge", "keywords"]);
  assert.equal(writing.spec.graders.get("keywords")!.type, "keywords");
  assert.equal(writing.spec.graders.get("judge")!.type, "judge_pairwise");
});
