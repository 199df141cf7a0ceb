import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { createRewardRouter } from "../src/rewards/router.js";
import { type RunningRewardServer, startRewardServer } from "../src/rewards/server.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";

let judge: FakeOpenAiServer;
let service: RunningRewardServer;

const exactMatch = {
  type: "string_check",
  input: "{{sample.output_text}}",
  reference: "{{item.ground_truth}}",
  operation: "eq",
};

before(async () => {
  judge = await startFakeOpenAiServer({
    verdict: (a, b) => (a.includes("dragon") ? "A" : b.includes("dragon") ? "B" : "C"),
  });
  const router = createRewardRouter(
    {
      rewards: {
        qa: exactMatch,
        writing: { type: "judge_pairwise", model: "fake", base_url: judge.baseUrl },
      },
    },
    "inline.yaml",
  );
  service = await startRewardServer({ router, port: 0, defaultTask: "qa", maxBodyBytes: 64 * 1024 });
});
after(async () => {
  await service.close();
  await judge.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${service.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test("GET /health answers ok with the configured data_sources", async () => {
  const res = await fetch(`${service.url}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", rewards: ["qa", "writing"] });
});

test("an OpenRLHF request is scored on query minus prompt, with plain and JSON labels", async () => {
  const prompt = "<|user|>Is the sky blue?<|assistant|>";
  const story = "<|user|>Write a tale.<|assistant|>";
  const { status, json } = await post("/get_reward", {
    query: [`${prompt}yes`, `${prompt}no`, `${story}a dragon tale`],
    prompts: [prompt, prompt, story],
    labels: ["yes", "yes", JSON.stringify({ data_source: "writing", ground_truth: "a plain tale" })],
  });
  assert.equal(status, 200);
  assert.deepEqual(json.rewards, [1, 0, 1]);
  assert.deepEqual(json.scores, [1, 0, 1]);
  const logs = json.extra_logs as Record<string, number[]>;
  assert.deepEqual(logs.status_ok, [1, 1, 1]);
  assert.deepEqual(logs.status_code, [0, 0, 0]);
  assert.deepEqual(json.statuses, ["ok", "ok", "ok"]);
});

test("POST / is the same endpoint as /get_reward", async () => {
  const { status, json } = await post("/", { query: ["Qyes"], prompts: ["Q"], labels: ["yes"] });
  assert.equal(status, 200);
  assert.deepEqual(json.rewards, [1]);
});

test("bad JSON, wrong shapes and mismatched lengths are 400 with a reason", async () => {
  const badJson = await post("/get_reward", "{not json");
  assert.equal(badJson.status, 400);
  assert.match(String(badJson.json.error), /not valid JSON/);
  const wrongShape = await post("/get_reward", { query: "x", prompts: [], labels: [] });
  assert.equal(wrongShape.status, 400);
  assert.match(String(wrongShape.json.error), /query/);
  const lengths = await post("/get_reward", { query: ["a", "b"], prompts: ["a"], labels: ["x"] });
  assert.equal(lengths.status, 400);
  assert.match(String(lengths.json.error), /same length/);
  const notPrefix = await post("/get_reward", { query: ["abc"], prompts: ["zz"], labels: ["x"] });
  assert.equal(notPrefix.status, 400);
  assert.match(String(notPrefix.json.error), /query\[0\] does not start with prompts\[0\]/);
});

test("an unknown data_source in a label is a 400 naming it", async () => {
  const { status, json } = await post("/get_reward", {
    query: ["Qa"],
    prompts: ["Q"],
    labels: [JSON.stringify({ data_source: "astrology", ground_truth: "a" })],
  });
  assert.equal(status, 400);
  assert.match(String(json.error), /astrology/);
});

test("a body over the size limit is refused with 413", async () => {
  const big = "x".repeat(80 * 1024);
  const { status, json } = await post("/get_reward", { query: [big], prompts: [""], labels: ["x"] });
  assert.equal(status, 413);
  assert.match(String(json.error), /limit/);
});

test("POST /score takes omni-thinker rows and returns score, status, details and metric", async () => {
  const { status, json } = await post("/score", {
    samples: [
      { data_source: "qa", prompt: "Sky blue?", response: "yes", reward_model: { ground_truth: "yes" } },
      {
        data_source: "writing",
        prompt: [{ role: "user", content: "A tale" }],
        response: "plain",
        reward_model: { ground_truth: "a dragon" },
      },
    ],
  });
  assert.equal(status, 200);
  const results = json.results as { score: number; status: string; metric: number }[];
  assert.deepEqual(
    results.map((r) => [r.score, r.status, r.metric]),
    [
      [1, "ok", 1],
      [-0.5, "ok", 0],
    ],
  );
});

function runPython(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", code], {
      env: { ...process.env, OMNI_REWARD_URL: service.url, OMNI_REWARD_RETRIES: "0" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("the verl compute_score in integrations/verl/omni_reward.py scores through the real service", async () => {
  const out = await runPython(
    [
      "import json, sys",
      "sys.path.insert(0, 'integrations/verl')",
      "import omni_reward as o",
      "a = o.compute_score('qa', 'yes', 'yes')",
      "b = o.compute_score('writing', 'a dragon story', 'a plain story', {'question': 'Tell a story'})",
      "c = o.compute_score_batch(['qa', 'qa'], ['yes', 'no'], ['yes', 'yes'])",
      "print(json.dumps([a, b, c]))",
    ].join("\n"),
  );
  assert.equal(out.code, 0, out.stderr);
  const [a, b, c] = JSON.parse(out.stdout) as [
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>[],
  ];
  assert.deepEqual(a, { score: 1, acc: 1, status: "ok" });
  assert.deepEqual(b, { score: 1, acc: 1, status: "ok" });
  assert.deepEqual(
    c.map((r) => r.score),
    [1, 0],
  );
  const last = judge.requests.at(-1)!;
  assert.match(last[1]!.content, /Tell a story/, "the judge saw the question from extra_info");
});

test("the verl client raises on an unknown data_source instead of returning 0", async () => {
  const out = await runPython(
    "import sys\nsys.path.insert(0, 'integrations/verl')\nimport omni_reward as o\no.compute_score('astrology', 'x', 'y')",
  );
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, /HTTP 400.*astrology/);
});
