// `omni-thinker eval --model DIR` on the project's own engine: sampling with a fixed seed reproduces the
// same responses and metrics, and local models report their mean token entropy.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { type EvalCliOptions, runEval } from "../src/eval/run-eval.js";
import { tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

const dir = tempDir("eval-local-");
after(() => rmSync(dir, { recursive: true, force: true }));

const modelDir = writeTinyChatModel(join(dir, "model"));
const rows = {
  math: ["2 + 3?", "4 + 4?", "9 - 1?"].map((q, i) => ({
    data_source: "math",
    prompt: [{ role: "user", content: q }],
    ability: "math",
    reward_model: { style: "rule", ground_truth: String([5, 8, 8][i]) },
    extra_info: { index: i },
  })),
  qa: ["A dog is a kind of?", "A rose is a kind of?"].map((q, i) => ({
    data_source: "qa",
    prompt: [{ role: "user", content: q }],
    ability: "qa",
    reward_model: { style: "rule", ground_truth: { answer: "A", options: ["animal", "flower"] } },
    extra_info: { index: i },
  })),
};
for (const [task, list] of Object.entries(rows)) {
  mkdirSync(join(dir, "data", task), { recursive: true });
  writeFileSync(join(dir, "data", task, "test.jsonl"), `${list.map((r) => JSON.stringify(r)).join("\n")}\n`);
}
writeFileSync(join(dir, "rewards.yaml"), "rewards:\n  math: {type: math}\n  qa: {type: mcq}\n");

function options(seed: number): EvalCliOptions {
  return {
    model: modelDir,
    apiKeyEnv: "NO_SUCH_KEY_VAR",
    tasks: ["math", "qa"],
    data: join(dir, "data"),
    split: "test",
    samples: 2,
    temperature: 1,
    topP: 1,
    maxTokens: 12,
    seed,
    rewards: join(dir, "rewards.yaml"),
    concurrency: 1,
    batchSize: 4,
    timeoutMs: 10_000,
    retries: 0,
    progress: false,
    keepSamples: true,
  };
}

test("a local eval with a fixed seed is reproducible, and reports mean token entropy", async () => {
  const a = await runEval(options(7));
  const b = await runEval(options(7));
  assert.equal(a.samples!.length, 10); // (3 math + 2 qa prompts) x 2 samples
  assert.deepEqual(
    b.samples!.map((s) => s.response),
    a.samples!.map((s) => s.response),
  );
  assert.deepEqual(
    b.tasks.map((t) => [t.task, t.accuracy, t.statusCounts, t.meanEntropy]),
    a.tasks.map((t) => [t.task, t.accuracy, t.statusCounts, t.meanEntropy]),
  );
  for (const t of a.tasks) {
    assert.equal(typeof t.meanEntropy, "number", `${t.task}: no entropy for a local model`);
    assert.ok(t.meanEntropy! > 0, `${t.task}: a random model's entropy is positive`);
  }
  // the seed matters: another seed samples other responses from the same random model
  const c = await runEval(options(8));
  assert.notDeepEqual(
    c.samples!.map((s) => s.response),
    a.samples!.map((s) => s.response),
  );
});
