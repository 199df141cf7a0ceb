// The datasets' own answers, scored through the default reward router (configs/rewards.yaml):
// math answers, code references against all their tests in the sandbox, QA answer keys, and for
// writing, the pairwise judge self-check (reference vs reference) against a fake judge on loopback.
// (The config is copied with the writing judge switched to backend: openai, pointed at the fake.)
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadRewardRouter, type RewardRouter } from "../src/rewards/router.js";
import type { RewardResult } from "../src/rewards/types.js";
import { readRows } from "../src/tasks/io.js";
import type { Row, Split } from "../src/tasks/schema.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tmp = tempDir("omni-task-refs-");

let judge: FakeOpenAiServer;
let router: RewardRouter;
const savedJudgeUrl = process.env.OMNI_JUDGE_URL;

before(async () => {
  // The fake judge calls identical answers a tie and otherwise prefers the longer one.
  judge = await startFakeOpenAiServer({
    verdict: (a, b) => (a === b ? "C" : a.length >= b.length ? "A" : "B"),
  });
  process.env.OMNI_JUDGE_URL = judge.baseUrl;
  // The shipped config, copied so its relative judge cache lands in the temp dir, not in runs/.
  mkdirSync(join(tmp, "configs"));
  const config = join(tmp, "configs", "rewards.yaml");
  // The writing judge goes over HTTP to the fake server here (the shipped default is the embedded
  // judge in-process, tested in rewards-judge-local.test.ts).
  const shipped = readFileSync(join(ROOT, "configs", "rewards.yaml"), "utf8");
  assert.match(shipped, /\n( +)backend: local\n/);
  writeFileSync(config, shipped.replace(/\n( +)backend: local\n/, "\n$1backend: openai\n"));
  router = loadRewardRouter(config);
});

after(async () => {
  await router?.close();
  await judge?.close();
  if (savedJudgeUrl === undefined) delete process.env.OMNI_JUDGE_URL;
  else process.env.OMNI_JUDGE_URL = savedJudgeUrl;
  rmSync(tmp, { recursive: true, force: true });
});

function rows(task: string, split: Split): Promise<Row[]> {
  return readRows(join(ROOT, "datasets", task, `${split}.jsonl`));
}

/** Scores each row's extra_info.reference as the response. */
async function scoreReferences(list: Row[], response?: (row: Row) => string): Promise<RewardResult[]> {
  return router.scoreBatch(
    list.map((r) => ({
      dataSource: r.data_source,
      prompt: r.prompt,
      response: response ? response(r) : r.extra_info.reference!,
      groundTruth: r.reward_model.ground_truth,
      extraInfo: r.extra_info,
    })),
  );
}

function failures(list: Row[], results: RewardResult[]): string[] {
  return results.flatMap((r, i) =>
    r.status === "ok" && r.score === 1
      ? []
      : [
          `${list[i]!.extra_info.split}:${list[i]!.extra_info.index}: ${r.status} ${JSON.stringify(r.details)}`,
        ],
  );
}

test("math: every reference solution in train, sft and test scores 1 through the router", async () => {
  for (const split of ["train", "sft", "test"] as const) {
    const list = await rows("math", split);
    const results = await scoreReferences(list);
    assert.deepEqual(failures(list, results).slice(0, 5), [], `math ${split}`);
    assert.equal(results.length, list.length);
  }
});

test("math: a wrong final answer scores 0, so the check above can fail", async () => {
  const list = (await rows("math", "test")).slice(0, 20);
  const results = await scoreReferences(list, (r) =>
    r.extra_info.reference!.replace(/\\boxed\{([^}]*)\}/, "\\boxed{$1 + 1000}"),
  );
  assert.equal(results.filter((r) => r.score === 1).length, 0);
});

test("qa: every answer key in train, sft and test scores 1, and the next letter scores 0", async () => {
  for (const split of ["train", "sft", "test"] as const) {
    const list = await rows("qa", split);
    const results = await scoreReferences(list);
    assert.deepEqual(failures(list, results).slice(0, 5), [], `qa ${split}`);
  }
  const test = await rows("qa", "test");
  // the reference names the answer's text before its letter, as the base's look-up phase trains
  for (const r of test) {
    const { options, answer_text } = r.extra_info as { options: string[]; answer_text: string };
    const letter = String.fromCharCode(65 + options.indexOf(answer_text));
    assert.equal(r.extra_info.reference, `It is ${answer_text}, so the answer is (${letter}).`);
  }
  const wrong = await scoreReferences(test, (r) => {
    const n = (r.extra_info.options as string[]).length;
    const key = (r.reward_model.ground_truth as string).charCodeAt(0) - 65;
    return `The answer is (${String.fromCharCode(65 + ((key + 1) % n))}).`;
  });
  assert.equal(wrong.filter((r) => r.status === "ok" && r.score === 0).length, 500);
});

test("code: every test-split reference passes all its tests (visible and hidden) in the sandbox", async () => {
  const list = await rows("code", "test");
  const t0 = performance.now();
  const results = await scoreReferences(list);
  const seconds = (performance.now() - t0) / 1000;
  assert.deepEqual(failures(list, results).slice(0, 5), []);
  const tests = results.reduce((a, r) => a + (r.details.total as number), 0);
  assert.equal(tests, 500 * 8);
  console.log(
    `# code: ${list.length} references, ${tests} asserts in the sandbox in ${seconds.toFixed(1)} s`,
  );
});

test("code: a reference with a broken return fails its tests in the sandbox", async () => {
  const list = (await rows("code", "test")).slice(0, 10);
  const results = await scoreReferences(list, (r) =>
    r.extra_info.reference!.replace(/def (\w+)\(([^)]*)\):\n/, "def $1($2):\n    return None\n"),
  );
  assert.equal(results.filter((r) => r.status === "ok" && r.score === 0).length, 10);
});

type Parts = Record<string, { score: number; metric: number; status: string }>;

test("writing: each test reference uses its own required words, and the judge calls it a tie with itself", async () => {
  const list = await rows("writing", "test");
  judge.resetCounters();
  const results = await scoreReferences(list);
  for (const [i, r] of results.entries()) {
    const parts = r.details.graders as Parts;
    assert.equal(r.status, "ok", `writing test:${i}`);
    assert.equal(parts.keywords!.metric, 1, `writing test:${i}: the reference misses a keyword`);
    assert.equal(parts.judge!.metric, 0.5, `writing test:${i}: not a tie`);
    assert.equal(r.score, 0.25); // rewards.tie in configs/rewards.yaml
    assert.equal(r.details.metric, 0.5);
  }
  // With response == reference the two orders are the same request, which the judge client sends
  // once (identical calls are de-duplicated); each request carries the row's reference.
  assert.equal(judge.calls, 500);
  const references = new Set(
    list.map((r) => (r.reward_model.ground_truth as { reference: string }).reference),
  );
  for (const messages of judge.requests) {
    const user = messages.find((m) => m.role === "user")!.content;
    assert.ok([...references].some((ref) => user.includes(ref)));
  }
});

test("writing: a one-word response against the reference is not scored as a tie", async () => {
  const list = (await rows("writing", "test")).slice(0, 20);
  const results = await scoreReferences(list, () => "Yes.");
  const losses = results.filter((r) => r.status === "ok" && (r.details.graders as Parts).judge!.metric === 0);
  assert.equal(losses.length, 20);
  // a loss (-0.5), and the prompt's words missing as well: the keyword gate lowers it to -1
  assert.equal(results[0]!.score, -1);
});
