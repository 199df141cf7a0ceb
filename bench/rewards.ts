// Rewards benchmark: throughput and latency of the verifiers, the sandbox, the judge client and the
// reward service, on this machine. Prints a human table, then one JSON line with every figure.
//
//   npm run bench:rewards                 (= build + node dist/bench/rewards.js)
//   node dist/bench/rewards.js --quick    (smaller corpora, for a smoke run)
//   node dist/bench/rewards.js --only judge   (one section: math, sandbox, sandbox-launcher, judge or reward-server)
//
// Rows:
//   math mixed      mixed corpus (boxed, ####, fractions, LaTeX, symbolic, wrong answers): checks/s on
//                   batches of 256; p50/p99 of single checks; timeouts.            target: none
//   math numeric    plain "\boxed{n}" vs "n": checks/s on batches of 256.         target >= 5,000/s
//   sandbox cN      python assert tests through the code reward at concurrency N: executions/s, p50/p99.
//                                                                                  target >= 40/s
//   sandbox c2, 1024 MB held, inline|helper
//                   c2 from a process holding 1 GB (a trainer), sandboxes spawned by this process
//                   (inline) or by the small launcher process (helper, the default).
//   judge           pairwise judge (one order) vs the fake OpenAI server at 200 ms latency, concurrency
//                   64: calls/s vs the ideal 64 / 0.2 s = 320/s.                  target overhead < 5%
//                   The server runs in its own process (bench/fake-judge-server.ts), as a real one would.
//   judge (no http) the same through an in-process backend that answers after 200 ms: the judge client's
//                   own overhead (semaphore, cache, retry loop, prompt building), without the HTTP stack.
//   reward server   POST /get_reward with 256 samples (math + qa) per request: requests/s, samples/s.
// A row whose reward is unavailable or fails prints "not available" with the reason.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createCodeReward } from "../src/rewards/code.js";
import { createPairwiseJudgeReward, PairwiseJudgeConfig } from "../src/rewards/judge/pairwise.js";
import { percentile } from "../src/rewards/judge/stats.js";
import { createMathReward } from "../src/rewards/math/index.js";
import { createRewardRouter } from "../src/rewards/router.js";
import { startRewardServer } from "../src/rewards/server.js";
import type { Reward, RewardSample } from "../src/rewards/types.js";

const quick = process.argv.includes("--quick");
/** `--only judge` (or math, sandbox, reward-server) runs one section. */
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;

type Row = { name: string; figures: Record<string, number | string | null>; note?: string };
const rows: Row[] = [];

function sample(dataSource: string, response: string, groundTruth: unknown): RewardSample {
  return { dataSource, prompt: [{ role: "user", content: "q" }], response, groundTruth };
}

/** The mixed math corpus: [response, ground truth] pairs, right and wrong, easy and symbolic. */
function mathCorpus(): [string, string][] {
  const base: [string, string][] = [
    ["The answer is \\boxed{42}.", "42"],
    ["So we get \\boxed{\\frac{1}{2}}", "0.5"],
    ["#### 1,234", "1234"],
    ["Thus the answer is $\\dfrac{3}{4}$.", "\\frac{3}{4}"],
    ["\\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{1}{\\sqrt{2}}"],
    ["\\boxed{x^2 + 2x + 1}", "(x+1)^2"],
    ["\\boxed{50\\%}", "0.5"],
    ["The final answer is 17", "18"],
    ["\\boxed{\\left( 1, 2 \\right)}", "(1,2)"],
    ["I could not solve it.", "7"],
    ["\\boxed{2\\pi}", "6.283185307"],
    ["\\boxed{90^\\circ}", "90"],
  ];
  const out: [string, string][] = [];
  for (let i = 0; i < 512; i++) out.push(base[i % base.length]!);
  return out;
}

async function timeBatches(reward: Reward, samples: RewardSample[], batch = 256) {
  const started = performance.now();
  let timeouts = 0;
  for (let i = 0; i < samples.length; i += batch) {
    const results = await reward.scoreBatch(samples.slice(i, i + batch));
    timeouts += results.filter((r) => r.status === "timeout").length;
  }
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: samples.length / seconds, timeouts };
}

async function timeSingles(reward: Reward, samples: RewardSample[]) {
  const latencies: number[] = [];
  for (const s of samples) {
    const t = performance.now();
    await reward.scoreBatch([s]);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5)!, p99: percentile(latencies, 0.99)! };
}

async function benchMath(): Promise<void> {
  const reward = createMathReward({});
  try {
    const mixed = mathCorpus().map(([r, gt]) => sample("math", r, gt));
    const n = quick ? 128 : mixed.length;
    await reward.scoreBatch(mixed.slice(0, 16)); // warm up workers and caches
    const batch = await timeBatches(reward, mixed.slice(0, n));
    const singles = await timeSingles(reward, mixed.slice(0, quick ? 48 : 240));
    rows.push({
      name: "math mixed",
      figures: {
        checks_per_s: batch.perSecond,
        p50_ms: singles.p50,
        p99_ms: singles.p99,
        timeouts: batch.timeouts,
      },
    });
    const numeric = Array.from({ length: quick ? 2048 : 10240 }, (_, i) =>
      sample("math", `The answer is \\boxed{${i}}`, String(i % 7 === 0 ? i + 1 : i)),
    );
    const plain = await timeBatches(reward, numeric);
    rows.push({ name: "math numeric", figures: { checks_per_s: plain.perSecond, timeouts: plain.timeouts } });
  } finally {
    await reward.close?.();
  }
}

async function benchSandbox(): Promise<void> {
  const program = "```python\ndef add(a, b):\n    return a + b\n```";
  const tests = { tests: ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"] };
  for (const concurrency of [1, 2, 4]) {
    const reward = createCodeReward({ concurrency });
    try {
      const n = quick ? 16 : 64;
      const samples = Array.from({ length: n }, () => sample("code", program, tests));
      await reward.scoreBatch(samples.slice(0, concurrency));
      const latencies: number[] = [];
      let failures = 0;
      const started = performance.now();
      let next = 0;
      // `concurrency` lanes each score one sample at a time, so each latency is one execution.
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) {
            const s = samples[next++]!;
            const t = performance.now();
            const [r] = await reward.scoreBatch([s]);
            latencies.push(performance.now() - t);
            if (r!.status !== "ok" || r!.score !== 1) failures++;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      rows.push({
        name: `sandbox c${concurrency}`,
        figures: {
          execs_per_s: n / seconds,
          p50_ms: percentile(latencies, 0.5),
          p99_ms: percentile(latencies, 0.99),
          failures,
        },
      });
    } finally {
      await reward.close?.();
    }
  }
}

/**
 * The same c2 run from a process that holds `heapMb` of touched memory, as a trainer does (its model,
 * optimizer and data), with the sandboxes started inline (spawned by this process) or by the helper
 * launcher (the default). Alternated twice; the better of each is kept.
 */
async function benchSandboxLaunchers(heapMb: number): Promise<void> {
  const held: Float32Array[] = [];
  for (let i = 0; i < heapMb / 4; i++) held.push(new Float32Array(1 << 20).fill(1));
  const program = "```python\ndef add(a, b):\n    return a + b\n```";
  const tests = { tests: ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"] };
  const n = quick ? 16 : 64;
  const best: Record<string, number> = {};
  for (let round = 0; round < 2; round++) {
    for (const launcher of ["inline", "helper"] as const) {
      const reward = createCodeReward({ sandbox: { kind: "local", launcher }, concurrency: 2 });
      try {
        const samples = Array.from({ length: n }, () => sample("code", program, tests));
        await reward.scoreBatch(samples.slice(0, 2));
        const started = performance.now();
        const results = await reward.scoreBatch(samples);
        const perSecond = n / ((performance.now() - started) / 1000);
        if (results.some((r) => r.status !== "ok")) throw new Error(`sandbox ${launcher}: a run failed`);
        best[launcher] = Math.max(best[launcher] ?? 0, perSecond);
      } finally {
        await reward.close?.();
      }
    }
  }
  for (const launcher of ["inline", "helper"]) {
    rows.push({
      name: `sandbox c2, ${heapMb} MB held, ${launcher}`,
      figures: { execs_per_s: best[launcher]! },
    });
  }
  held.length = 0;
}

/** Starts bench/fake-judge-server.js in a child process; resolves with its base URL and a stop function. */
async function startJudgeServerProcess(latencyMs: number): Promise<{ baseUrl: string; stop(): void }> {
  const script = fileURLToPath(new URL("./fake-judge-server.js", import.meta.url));
  const child = spawn(process.execPath, [script, String(latencyMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("exit", (code) => reject(new Error(`fake judge server exited with code ${code}`)));
  });
  return {
    baseUrl,
    stop: () => {
      child.stdin!.end();
      child.kill("SIGTERM");
    },
  };
}

async function timeJudge(
  reward: ReturnType<typeof createPairwiseJudgeReward>,
  latencyMs: number,
  concurrency: number,
) {
  await reward.scoreBatch(
    Array.from({ length: concurrency }, (_, i) => sample("writing", `warm ${i}`, "ref")),
  );
  const n = quick ? 320 : 1280;
  const samples = Array.from({ length: n }, (_, i) => sample("writing", `answer ${i}`, "reference"));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const results = await reward.scoreBatch(samples);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const ideal = concurrency / (latencyMs / 1000);
  const callsPerSecond = n / seconds;
  const stats = reward.judgeStats();
  return {
    calls_per_s: callsPerSecond,
    ideal_calls_per_s: ideal,
    overhead_pct: 100 * (1 - callsPerSecond / ideal),
    client_cpu_ms_per_call: (cpu.user + cpu.system) / 1000 / n,
    p50_ms: stats.latencyP50Ms,
    p99_ms: stats.latencyP99Ms,
    not_ok: results.filter((r) => r.status !== "ok").length,
  };
}

async function benchJudge(): Promise<void> {
  const latencyMs = 200;
  const concurrency = 64;
  const server = await startJudgeServerProcess(latencyMs);
  const reward = createPairwiseJudgeReward(
    PairwiseJudgeConfig.parse({ model: "fake", base_url: server.baseUrl, concurrency, both_orders: false }),
  );
  try {
    rows.push({ name: "judge", figures: await timeJudge(reward, latencyMs, concurrency) });
  } finally {
    await reward.close();
    server.stop();
  }
  // The same client logic over an in-process backend: what the judge client itself costs.
  const direct = createPairwiseJudgeReward(
    PairwiseJudgeConfig.parse({
      model: "fake",
      base_url: "http://127.0.0.1:9/v1",
      concurrency,
      both_orders: false,
    }),
    {
      backendFactory: () => ({
        complete: () =>
          new Promise<string>((resolve) => setTimeout(() => resolve("Verdict: [[A]]"), latencyMs)),
      }),
    },
  );
  try {
    rows.push({ name: "judge (no http)", figures: await timeJudge(direct, latencyMs, concurrency) });
  } finally {
    await direct.close();
  }
}

async function benchRewardServer(): Promise<void> {
  const router = createRewardRouter(
    {
      rewards: {
        math: { type: "math" },
        qa: { type: "mcq" },
      },
    },
    "bench.yaml",
  );
  const service = await startRewardServer({ router, port: 0 });
  try {
    const query: string[] = [];
    const prompts: string[] = [];
    const labels: string[] = [];
    for (let i = 0; i < 256; i++) {
      const prompt = `<|user|>Question ${i}<|assistant|>`;
      prompts.push(prompt);
      if (i % 2 === 0) {
        query.push(`${prompt}So the answer is \\boxed{${i}}.`);
        labels.push(JSON.stringify({ data_source: "math", ground_truth: String(i) }));
      } else {
        query.push(`${prompt}The answer is (B).`);
        labels.push(JSON.stringify({ data_source: "qa", ground_truth: "B" }));
      }
    }
    const body = JSON.stringify({ query, prompts, labels });
    const post = async () => {
      const res = await fetch(`${service.url}/get_reward`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      return (await res.json()) as { rewards: number[] };
    };
    const first = await post();
    const okShare = first.rewards.filter((r) => r > 0).length / first.rewards.length;
    const requests = quick ? 10 : 40;
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      await post();
      latencies.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    rows.push({
      name: "reward server",
      figures: {
        requests_per_s: requests / seconds,
        samples_per_s: (256 * requests) / seconds,
        p50_ms: percentile(latencies, 0.5),
        p99_ms: percentile(latencies, 0.99),
        positive_share: okShare,
      },
    });
  } finally {
    await service.close();
    await router.close();
  }
}

async function section(name: string, fn: () => Promise<void>): Promise<void> {
  if (only !== undefined && only !== name.replace(/\s+/g, "-")) return;
  try {
    await fn();
  } catch (err) {
    rows.push({ name, figures: {}, note: `not available: ${(err as Error).message.split("\n")[0]}` });
  }
}

function fmt(v: number | string | null): string {
  if (v === null) return "-";
  if (typeof v === "string") return v;
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

async function main(): Promise<void> {
  await section("math", benchMath);
  await section("sandbox", benchSandbox);
  await section("sandbox launcher", () => benchSandboxLaunchers(1024));
  await section("judge", benchJudge);
  await section("reward server", benchRewardServer);
  console.log(`rewards benchmark${quick ? " (quick)" : ""}: node ${process.version}`);
  for (const row of rows) {
    const figures = Object.entries(row.figures)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join("  ");
    console.log(`${row.name.padEnd(14)} ${row.note ?? figures}`);
  }
  const json: Record<string, unknown> = { bench: "rewards", quick };
  for (const row of rows) json[row.name.replace(/\s+/g, "_")] = row.note ?? row.figures;
  console.log(JSON.stringify(json));
}

await main();
