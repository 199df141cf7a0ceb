import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { createCodeReward } from "../src/rewards/code.js";
import { createLocalSandbox, createSandboxFusionClient } from "../src/rewards/sandbox/index.js";
import { startFakeSandboxFusion } from "./helpers/fake-sandboxfusion.js";

const local = createLocalSandbox({ concurrency: 2, cpu_seconds: 2 });
before(async () => {
  await local.ready();
});
after(async () => {
  await local.close();
});

test("a program runs through SandboxFusion's /run_code with stdin and files, and its output comes back", async () => {
  const fake = await startFakeSandboxFusion({ runner: local });
  try {
    const client = createSandboxFusionClient({ url: fake.url, retries: 0 });
    const r = await client.run({
      code: "import sys\nprint(sys.stdin.read().upper(), open('data/x.txt').read())",
      stdin: "hi",
      files: { "data/x.txt": "café" },
      timeoutMs: 3000,
    });
    assert.equal(r.status, "ok");
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, "HI café\n");
    const sent = fake.requests[0]!;
    assert.equal(sent.language, "python");
    assert.equal(sent.run_timeout, 3);
    assert.equal(sent.stdin, "hi");
    assert.equal(Buffer.from(sent.files!["data/x.txt"]!, "base64").toString("utf8"), "café");
  } finally {
    await fake.close();
  }
});

test("SandboxFusion's Finished with a non-zero return code maps to runtime_error, TimeLimitExceeded to timeout", async () => {
  const fake = await startFakeSandboxFusion({ runner: local });
  try {
    const client = createSandboxFusionClient({ url: fake.url, retries: 0 });
    const crash = await client.run({ code: "raise SystemExit(3)" });
    assert.equal(crash.status, "runtime_error");
    assert.equal(crash.exitCode, 3);
    assert.equal(crash.details.remote_run_status, "Finished");
    const slow = await client.run({ code: "import time\ntime.sleep(30)", timeoutMs: 300 });
    assert.equal(slow.status, "timeout");
    assert.equal(slow.details.remote_run_status, "TimeLimitExceeded");
  } finally {
    await fake.close();
  }
});

test("5xx answers are retried with backoff until one succeeds", async () => {
  const fake = await startFakeSandboxFusion({ runner: local, failFirst: 2, failStatus: 503 });
  try {
    const client = createSandboxFusionClient({ url: fake.url, retries: 3, backoff_ms: 10 });
    const r = await client.run({ code: "print(42)" });
    assert.equal(r.status, "ok");
    assert.equal(r.stdout, "42\n");
    assert.equal(r.details.attempts, 3);
    assert.equal(fake.requests.length, 3);
  } finally {
    await fake.close();
  }
});

test("when every attempt fails the result is sandbox_error naming each failure", async () => {
  const fake = await startFakeSandboxFusion({ runner: local, failFirst: 10, failStatus: 500 });
  try {
    const client = createSandboxFusionClient({ url: fake.url, retries: 2, backoff_ms: 5 });
    const r = await client.run({ code: "print(1)" });
    assert.equal(r.status, "sandbox_error");
    assert.equal(r.details.attempts, 3);
    assert.match(String(r.details.error), /HTTP 500.*HTTP 500.*HTTP 500/s);
  } finally {
    await fake.close();
  }
});

test("a 4xx answer is not retried", async () => {
  const fake = await startFakeSandboxFusion({ runner: local, failFirst: 1, failStatus: 400 });
  try {
    const client = createSandboxFusionClient({ url: fake.url, retries: 3, backoff_ms: 5 });
    const r = await client.run({ code: "print(1)" });
    assert.equal(r.status, "sandbox_error");
    assert.equal(fake.requests.length, 1);
    assert.match(String(r.details.error), /HTTP 400/);
  } finally {
    await fake.close();
  }
});

test("a SandboxError answer and an unknown run status are sandbox_error, never a score", async () => {
  const fake = await startFakeSandboxFusion({
    respond: (req) =>
      req.code.includes("weird")
        ? { status: "Failed", run_result: { status: "Error", return_code: null, stdout: "", stderr: "" } }
        : { status: "SandboxError", message: "container died", run_result: null },
  });
  try {
    const client = createSandboxFusionClient({ url: fake.url, retries: 0 });
    const a = await client.run({ code: "print(1)" });
    assert.equal(a.status, "sandbox_error");
    assert.match(String(a.details.error), /container died/);
    const b = await client.run({ code: "weird" });
    assert.equal(b.status, "sandbox_error");
    assert.match(String(b.details.error), /run status Error/);
  } finally {
    await fake.close();
  }
});

test("a server that does not answer in time is retried, then reported as sandbox_error", async () => {
  const fake = await startFakeSandboxFusion({ runner: local, delayMs: 1000 });
  try {
    const client = createSandboxFusionClient({
      url: fake.url,
      retries: 1,
      backoff_ms: 5,
      request_overhead_ms: 100,
    });
    const started = performance.now();
    const r = await client.run({ code: "print(1)", timeoutMs: 100 });
    assert.equal(r.status, "sandbox_error");
    assert.equal(fake.requests.length, 2);
    assert.match(String(r.details.error), /no answer within 200 ms/);
    assert.ok(performance.now() - started < 1500);
  } finally {
    await fake.close();
  }
});

test("a refused connection is retried, then reported as sandbox_error", async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const client = createSandboxFusionClient({ url: `http://127.0.0.1:${port}`, retries: 2, backoff_ms: 5 });
  const r = await client.run({ code: "print(1)" });
  assert.equal(r.status, "sandbox_error");
  assert.equal(r.details.attempts, 3);
});

test("the code reward scores through a SandboxFusion sandbox the same as locally", async () => {
  const fake = await startFakeSandboxFusion({ runner: local });
  const reward = createCodeReward({
    score: "fraction",
    sandbox: { kind: "sandbox_fusion", url: fake.url, retries: 0 },
  });
  try {
    const [r] = await reward.scoreBatch([
      {
        dataSource: "mbpp",
        prompt: [],
        response: "```python\ndef sq(x):\n    return x * x\n```",
        groundTruth: { test_list: ["assert sq(2) == 4", "assert sq(3) == 10", "assert sq(0) == 0"] },
      },
    ]);
    assert.equal(r!.status, "ok");
    assert.equal(r!.score, 2 / 3);
    assert.equal(r!.details.sandbox, "sandbox_fusion");
    assert.deepEqual(r!.details.failed, [{ test: 1, error: "AssertionError" }]);
  } finally {
    await reward.close?.();
    await fake.close();
  }
});
