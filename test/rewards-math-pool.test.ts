import assert from "node:assert/strict";
import { test } from "node:test";
import { createMathReward } from "../src/rewards/math/index.js";
import type { RewardSample } from "../src/rewards/types.js";
import { WorkerPool, WorkerPoolQueueFullError } from "../src/rewards/worker-pool.js";
import type { PoolTestItem } from "./helpers/pool-test-worker.js";

const WORKER = new URL("./helpers/pool-test-worker.js", import.meta.url);

function pool(opts: { size?: number; itemTimeoutMs?: number; maxQueuedJobs?: number } = {}) {
  return new WorkerPool<PoolTestItem, number>({
    script: WORKER,
    size: opts.size ?? 2,
    itemTimeoutMs: opts.itemTimeoutMs ?? 5000,
    maxQueuedJobs: opts.maxQueuedJobs,
  });
}

test("a worker pool answers every item of concurrent jobs in order, using all its workers", async () => {
  const p = pool();
  try {
    const jobs = [1, 2, 3, 4].map((j) =>
      p.runBatch(Array.from({ length: 5 }, (_, i) => ({ op: "double" as const, value: j * 10 + i }))),
    );
    const results = await Promise.all(jobs);
    assert.deepEqual(
      results.map((r) => r.map((o) => (o.ok ? o.value : null))),
      [1, 2, 3, 4].map((j) => Array.from({ length: 5 }, (_, i) => 2 * (j * 10 + i))),
    );
    await p.whenReady();
    const threads = await Promise.all([p.runBatch([{ op: "threadId" }]), p.runBatch([{ op: "threadId" }])]);
    const ids = new Set(threads.map((r) => (r[0]!.ok ? r[0]!.value : -1)));
    assert.equal(ids.size, 2, "two concurrent jobs run on two different threads");
  } finally {
    await p.close();
  }
});

test("an item that spins past the timeout is killed, reported as timeout, and the rest of its job still runs", async () => {
  const p = pool({ size: 1, itemTimeoutMs: 300 });
  try {
    const started = performance.now();
    const out = await p.runBatch([{ op: "double", value: 1 }, { op: "spin" }, { op: "double", value: 3 }]);
    assert.deepEqual(out[0], { ok: true, value: 2 });
    assert.equal(out[1]!.ok, false);
    assert.equal(!out[1]!.ok && out[1]!.reason, "timeout");
    assert.deepEqual(out[2], { ok: true, value: 6 });
    assert.ok(performance.now() - started >= 300);
    assert.deepEqual(p.stats, { timeouts: 1, crashes: 0, restarts: 1 });
    // The replacement worker keeps serving.
    assert.deepEqual(await p.runBatch([{ op: "double", value: 5 }]), [{ ok: true, value: 10 }]);
  } finally {
    await p.close();
  }
});

test("an item that throws gets an error outcome and its worker keeps going; a worker that exits is replaced", async () => {
  const p = pool({ size: 1 });
  try {
    const out = await p.runBatch([
      { op: "throw", message: "bad item" },
      { op: "double", value: 2 },
      { op: "exit" },
      { op: "double", value: 4 },
    ]);
    assert.deepEqual(out[0], { ok: false, reason: "error", message: "bad item" });
    assert.deepEqual(out[1], { ok: true, value: 4 });
    assert.equal(!out[2]!.ok && out[2]!.reason, "crash");
    assert.match(!out[2]!.ok ? out[2]!.message : "", /exited with code 3/);
    assert.deepEqual(out[3], { ok: true, value: 8 });
    assert.equal(p.stats.crashes, 1);
  } finally {
    await p.close();
  }
});

test("the queue is bounded, and close() finishes waiting jobs as closed", async () => {
  const p = pool({ size: 1, maxQueuedJobs: 2, itemTimeoutMs: 10_000 });
  await p.whenReady();
  const running = p.runBatch([{ op: "spin" }]);
  const queued = [p.runBatch([{ op: "double", value: 1 }]), p.runBatch([{ op: "double", value: 2 }])];
  await assert.rejects(p.runBatch([{ op: "double", value: 3 }]), WorkerPoolQueueFullError);
  await p.close();
  for (const out of [await running, ...(await Promise.all(queued))]) {
    assert.equal(!out[0]!.ok && out[0]!.reason, "closed");
  }
  assert.deepEqual(await p.runBatch([{ op: "double", value: 1 }]), [
    { ok: false, reason: "closed", message: "worker pool was closed" },
  ]);
});

test("a worker script that cannot load fails its jobs with a crash outcome instead of hanging", async () => {
  const p = new WorkerPool<number, number>({
    script: new URL("./helpers/no-such-worker.js", import.meta.url),
    size: 1,
    itemTimeoutMs: 1000,
  });
  try {
    const out = await p.runBatch([1, 2]);
    assert.equal(out.length, 2);
    for (const o of out) {
      assert.equal(!o.ok && o.reason, "crash");
      assert.match(!o.ok ? o.message : "", /no-such-worker/);
    }
  } finally {
    await p.close();
  }
});

const sample = (response: string, groundTruth: unknown): RewardSample => ({
  dataSource: "math",
  prompt: [{ role: "user", content: "q" }],
  response,
  groundTruth,
});

test("the math reward scores a batch in workers: ok with method and metric, no_answer, and order kept", async () => {
  const reward = createMathReward({ workers: 1, timeoutMs: 30_000 });
  try {
    const results = await reward.scoreBatch([
      sample("so the total is \\boxed{\\frac{3}{4}}", "0.75"),
      sample("#### 1,234", "1234"),
      sample("I have no idea.", "5"),
      sample("The answer is $12$.", "1.2"),
      sample("\\boxed{(x-1)(x+1)}", "x^2-1"),
      sample("\\boxed{7}", ["6", "7"]),
      sample("\\boxed{25\\%}", { answer: "0.25" }),
    ]);
    assert.deepEqual(
      results.map((r) => [r.status, r.score, r.details.metric]),
      [
        ["ok", 1, 1],
        ["ok", 1, 1],
        ["no_answer", 0, 0],
        ["ok", 0, 0],
        ["ok", 1, 1],
        ["ok", 1, 1],
        ["ok", 1, 1],
      ],
    );
    assert.deepEqual(
      { ...results[0]!.details },
      {
        extractor: "boxed",
        extracted: "\\frac{3}{4}",
        normalized: "\\frac{3}{4}",
        reference: "0.75",
        method: "rational",
        metric: 1,
      },
    );
    assert.equal(results[1]!.details.extractor, "hash");
    assert.equal(results[3]!.details.extractor, "answer_is");
    assert.equal(results[4]!.details.method, "symbolic");
  } finally {
    await reward.close?.();
  }
});

test("a math check that hangs is killed at timeoutMs, reported as timeout (not a plain 0), and the reward keeps working", async () => {
  // debugSpinToken is a test-only hook: a response containing it makes its worker spin forever.
  const reward = createMathReward({ workers: 1, timeoutMs: 400, symbolic: false, debugSpinToken: "<spin>" });
  try {
    const results = await reward.scoreBatch([
      sample("\\boxed{2}", "2"),
      sample("<spin> \\boxed{3}", "3"),
      sample("\\boxed{4}", "4"),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["ok", "timeout", "ok"],
    );
    assert.equal(results[1]!.score, 0);
    assert.equal(results[1]!.details.metric, 0);
    assert.match(String(results[1]!.details.error), /exceeded 400 ms/);
    const after = await reward.scoreBatch([sample("\\boxed{5}", "5"), sample("\\boxed{6}", "7")]);
    assert.deepEqual(
      after.map((r) => [r.status, r.score]),
      [
        ["ok", 1],
        ["ok", 0],
      ],
    );
  } finally {
    await reward.close?.();
  }
});

test("math reward config and ground truth errors are clear", async () => {
  assert.throws(() => createMathReward({ extractors: ["boxed", "nope" as "boxed"] }), /extractors\[1\]/);
  assert.throws(() => createMathReward({ relTol: -1 }), /relTol/);
  assert.throws(() => createMathReward({ timeout: 5 } as never), /timeout/);
  const reward = createMathReward({ workers: 1, symbolic: false });
  try {
    await assert.rejects(
      reward.scoreBatch([sample("\\boxed{1}", { wrong: 1 })]),
      /sample 0 \(math\): ground truth/,
    );
  } finally {
    await reward.close?.();
  }
  await assert.rejects(reward.scoreBatch([sample("\\boxed{1}", "1")]), /after close/);
});
