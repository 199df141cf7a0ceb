import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { EMBEDDED_JUDGE_SYSTEM_PROMPT } from "../src/embedded/judge-pairs.js";
import { LocalChatModel } from "../src/models/chat-model.js";
import { type RunningModelServer, startModelServer } from "../src/models/openai-server.js";
import { LocalChatBackend } from "../src/rewards/judge/local-backend.js";
import { createPairwiseJudgeReward, PairwiseJudgeConfig } from "../src/rewards/judge/pairwise.js";
import { loadRewardRouter } from "../src/rewards/router.js";
import type { RewardSample } from "../src/rewards/types.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

let dir: string;
let server: RunningModelServer;

before(async () => {
  dir = writeTinyChatModel(tempDir("judge-local-"));
  server = await startModelServer({ model: LocalChatModel.load(dir), modelId: "tiny-judge", port: 0 });
});
after(async () => {
  await server.close();
  removeTempDirs();
});

function sample(response: string): RewardSample {
  return {
    dataSource: "writing",
    prompt: [{ role: "user", content: "Write a sentence that uses the word cloud." }],
    response,
    groundTruth: { reference: "After that mistake he was under a cloud." },
  } as RewardSample;
}

const responses = ["The cloud was grey.", "", "Thought process:"];

test("the pairwise judge asks a local model the same way in-process and over HTTP (serve model)", async () => {
  const common = {
    model: "tiny-judge",
    temperature: 0,
    max_tokens: 16,
    reask_unparseable: 0,
    retries: 0,
    system_prompt: EMBEDDED_JUDGE_SYSTEM_PROMPT,
  };
  const inProcess = createPairwiseJudgeReward(
    PairwiseJudgeConfig.parse({ ...common, backend: "local", model_dir: dir }),
  );
  const overHttp = createPairwiseJudgeReward(
    PairwiseJudgeConfig.parse({ ...common, backend: "openai", base_url: `${server.url}/v1` }),
  );
  const a = await inProcess.scoreBatch(responses.map(sample));
  const b = await overHttp.scoreBatch(responses.map(sample));
  for (let i = 0; i < responses.length; i++) {
    // a random model: the reply text (whatever it is) must be identical through both transports,
    // and its status honest (ok with a verdict, or judge_unparseable), never judge_error
    assert.deepEqual(a[i]!.details?.replies, b[i]!.details?.replies);
    assert.equal(a[i]!.status, b[i]!.status);
    assert.ok(["ok", "judge_unparseable"].includes(a[i]!.status), a[i]!.status);
    assert.equal((a[i]!.details?.replies as string[] | undefined)?.length, 2, "both orders asked");
  }
  await inProcess.close();
  await overHttp.close();
});

test("an in-process judge batches the concurrent calls of a reward batch into few sampler calls", async () => {
  const backend = LocalChatBackend.fromDir(dir);
  const before = { ...backend.model.stats };
  const signal = new AbortController().signal;
  const replies = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      backend.complete([{ role: "user", content: `answer ${i}` }], { temperature: 0, maxTokens: 5, signal }),
    ),
  );
  assert.equal(replies.length, 8);
  assert.ok(backend.model.stats.batches - before.batches <= 2, "8 calls, at most 2 sampler calls");
});

test("a rewards YAML selects the in-process judge with backend: local and model_dir", async () => {
  const yamlDir = tempDir("judge-yaml-");
  const { writeFileSync } = await import("node:fs");
  const file = `${yamlDir}/rewards.yaml`;
  writeFileSync(
    file,
    `rewards:\n  writing:\n    type: judge_pairwise\n    backend: local\n    model: tiny-judge\n    model_dir: ${dir}\n    max_tokens: 8\n    reask_unparseable: 0\n    system_prompt: "Compare."\n`,
  );
  const router = loadRewardRouter(file);
  const [r] = await router.scoreBatch([sample("The cloud was grey.")]);
  assert.ok(["ok", "judge_unparseable"].includes(r!.status), r!.status);
  await router.close();
});

const EMBEDDED = "models/omni-tiny-judge";
test("the embedded omni-tiny-judge prefers the reference to an empty answer, in-process and over HTTP", {
  skip: existsSync(`${EMBEDDED}/model.safetensors`)
    ? false
    : `${EMBEDDED} not built (npm run model:train-judge)`,
}, async () => {
  const cfg = {
    model: "omni-tiny-judge",
    temperature: 0,
    max_tokens: 32,
    reask_unparseable: 0,
    system_prompt: EMBEDDED_JUDGE_SYSTEM_PROMPT,
  };
  const local = createPairwiseJudgeReward(
    PairwiseJudgeConfig.parse({ ...cfg, backend: "local", model_dir: EMBEDDED }),
  );
  const judgeServer = await startModelServer({
    model: LocalChatModel.load(EMBEDDED),
    modelId: "omni-tiny-judge",
    port: 0,
  });
  const remote = createPairwiseJudgeReward(
    PairwiseJudgeConfig.parse({ ...cfg, backend: "openai", base_url: `${judgeServer.url}/v1` }),
  );
  try {
    const [l] = await local.scoreBatch([sample("")]);
    const [h] = await remote.scoreBatch([sample("")]);
    assert.equal(l!.status, "ok");
    assert.equal(l!.details?.verdict, "loss");
    assert.deepEqual(h!.details?.replies, l!.details?.replies);
  } finally {
    await local.close();
    await remote.close();
    await judgeServer.close();
  }
});

test("a retrained local judge under the same name does not read the old one's cached verdicts", async () => {
  const { createJudgeClient } = await import("../src/rewards/judge/client.js");
  const { weightsFingerprint } = await import("../src/models/hf-model.js");
  const { JudgeEndpointConfig } = await import("../src/rewards/judge/config.js");
  const cacheDir = tempDir("judge-cache-");
  const other = writeTinyChatModel(tempDir("judge-local-b-"), 2); // same name, other weights
  assert.equal(weightsFingerprint(dir), weightsFingerprint(dir), "the fingerprint is stable");
  assert.notEqual(weightsFingerprint(dir), weightsFingerprint(other));
  const ask = async (modelDir: string) => {
    const cfg = JudgeEndpointConfig.parse({
      backend: "local",
      model: "tiny-judge",
      model_dir: modelDir,
      max_tokens: 6,
      cache: `${cacheDir}/cache.jsonl`,
    });
    const client = createJudgeClient(cfg);
    const reply = await client.ask([{ role: "user", content: "Which is better, A or B?" }]);
    await client.close();
    return reply;
  };
  const first = await ask(dir);
  assert.ok(first.ok && !first.cached);
  const again = await ask(dir);
  assert.ok(again.ok && again.cached, "the same weights read the cache");
  const retrained = await ask(other);
  assert.ok(retrained.ok && !retrained.cached, "other weights under the same name ask the model");
});
