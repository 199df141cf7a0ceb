// GRPO step benchmark: one step of 32 prompts x G=8, up to 64 new tokens, KL on (reference pass), on
// models/omni-tiny when it exists, else on a random model of its size (vocab 4096, d 256, 6 layers).
// Reports the time per phase, generated tokens/s and the sampling vs update fraction; then checks that
// a 200 ms judge (the fake OpenAI server on loopback) does not serialize the reward phase: judge calls
// overlap with each other and with the scoring of the other tasks.
// Prints a table, then one final JSON line.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeConfig } from "../src/models/config.js";
import { writeHfModelDir } from "../src/models/hf-model.js";
import { LlamaModel } from "../src/models/llama.js";
import { loadPretrained } from "../src/models/pretrained.js";
import type { Tensor } from "../src/models/safetensors.js";
import { createRewardRouter } from "../src/rewards/router.js";
import type { RewardSample } from "../src/rewards/types.js";
import { parseTrainConfig } from "../src/rl/config.js";
import { readJsonl } from "../src/rl/run-files.js";
import { train } from "../src/rl/trainer.js";
import { readRows, writeRows } from "../src/tasks/io.js";
import type { Row } from "../src/tasks/schema.js";
import { startFakeOpenAiServer } from "../test/helpers/fake-openai-server.js";

const TASKS = ["math", "code", "qa", "writing"] as const;
const JUDGE_LATENCY_MS = 200;

function randomOmniTinySized(dir: string): { dir: string; params: number } {
  const config = makeConfig({
    vocab_size: 4096,
    hidden_size: 256,
    intermediate_size: 768,
    num_hidden_layers: 6,
    num_attention_heads: 4,
    max_position_embeddings: 1024,
    eos_token_id: 257,
  });
  const model = LlamaModel.create(config, { seed: 1 });
  const tensors = new Map<string, Tensor>();
  for (const p of model.params.values()) tensors.set(p.name, { shape: p.shape, data: p.data });
  writeHfModelDir(dir, config, tensors);
  return { dir, params: model.numParams() };
}

async function benchRows(tmp: string): Promise<string> {
  const dataDir = join(tmp, "data");
  for (const task of TASKS) {
    const src = join("datasets", task, "train.jsonl");
    if (!existsSync(src)) throw new Error(`bench:rl needs ${src} (build it with npm run data:build)`);
    mkdirSync(join(dataDir, task), { recursive: true });
    writeRows(join(dataDir, task, "train.jsonl"), (await readRows(src)).slice(0, 64));
  }
  return dataDir;
}

function rewardsConfig(judgeUrl: string) {
  return {
    rewards: {
      math: { type: "math" },
      code: { type: "code", score: "all_pass", timeout_ms: 5000 },
      qa: { type: "mcq" },
      writing: {
        type: "judge_pairwise",
        model: "fake-judge",
        base_url: judgeUrl,
        concurrency: 64,
        retries: 0,
      },
    },
  };
}

function sampleOf(row: Row, response: string): RewardSample {
  return {
    dataSource: row.data_source,
    prompt: row.prompt,
    response,
    groundTruth: row.reward_model.ground_truth,
    extraInfo: row.extra_info,
  };
}

const secs = (t0: number) => (performance.now() - t0) / 1000;

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "bench-rl-"));
  const judge = await startFakeOpenAiServer({
    latencyMs: JUDGE_LATENCY_MS,
    verdict: (a, b) => (a.length >= b.length ? "A" : "B"),
  });
  try {
    const embedded = existsSync(join("models", "omni-tiny", "model.safetensors"));
    const model = embedded
      ? {
          dir: join("models", "omni-tiny"),
          params: loadPretrained(join("models", "omni-tiny")).model.numParams(),
        }
      : randomOmniTinySized(join(tmp, "model"));
    const dataDir = await benchRows(tmp);
    const rewardsFile = join(tmp, "rewards.yaml");
    const router = createRewardRouter(rewardsConfig(judge.baseUrl), rewardsFile);

    // --- one GRPO step (two steps are run; step 1 includes warm-up, step 2 is reported as steady state)
    const cfg = parseTrainConfig(
      {
        name: "bench",
        out_dir: join(tmp, "runs"),
        model: model.dir,
        data: { dir: dataDir },
        tasks: [...TASKS],
        steps: 2,
        seed: 0,
        rl: {
          group_size: 8,
          prompts_per_step: 32,
          max_new_tokens: 64,
          kl_coef: 0.001,
          kl_estimator: "k3",
          micro_batch_size: 16,
        },
        optim: { lr: 1e-5 },
        save_every: 0,
        progress: false,
        log_samples: 0,
      },
      "bench",
    );
    const t0 = performance.now();
    const result = await train(cfg, { router, log: () => {} });
    const wall = secs(t0);
    const steps = readJsonl(join(result.runDir, "metrics.jsonl")).filter((m) => m.kind === "train");
    const params = model.params;

    // --- judge overlap: 64 writing samples (2 orders each at 200 ms) vs 192 samples of the other tasks
    const rows: Record<string, Row[]> = {};
    for (const task of TASKS) rows[task] = (await readRows(join(dataDir, task, "train.jsonl"))).slice(0, 64);
    const writing = rows.writing!.map((r, i) =>
      sampleOf(r, `answer ${i}: ${String(r.extra_info.reference ?? "")}`),
    );
    const others = (["math", "code", "qa"] as const).flatMap((t) =>
      rows[t]!.map((r) => sampleOf(r, String(r.extra_info.reference ?? ""))),
    );
    const fresh = () => createRewardRouter(rewardsConfig(judge.baseUrl), rewardsFile);
    let r = fresh();
    let t = performance.now();
    await r.scoreBatch(others);
    const tOthers = secs(t);
    await r.close();
    judge.resetCounters();
    r = fresh();
    t = performance.now();
    await r.scoreBatch(writing);
    const tWriting = secs(t);
    const judgeCalls = judge.calls;
    const maxInFlight = judge.maxInFlight;
    await r.close();
    r = fresh();
    t = performance.now();
    await r.scoreBatch([...writing, ...others]);
    const tAll = secs(t);
    await r.close();
    const serialJudge = (judgeCalls * JUDGE_LATENCY_MS) / 1000;

    const s = steps.at(-1)!;
    const n = (k: string) => Number(s[k] ?? 0);
    const stepTime = n("time/step");
    const rowsOut: [string, string][] = [
      [
        "model",
        `${embedded ? "models/omni-tiny" : "random omni-tiny-sized"} (${params ? `${(params / 1e6).toFixed(2)}M params` : "loaded"})`,
      ],
      ["step (steady, step 2)", `${stepTime.toFixed(2)} s`],
      [
        "  sampling",
        `${n("time/sampling").toFixed(2)} s (${((100 * n("time/sampling")) / stepTime).toFixed(1)}%)`,
      ],
      ["  reward", `${n("time/reward").toFixed(2)} s`],
      ["  reference", `${n("time/reference").toFixed(2)} s`],
      ["  update", `${n("time/update").toFixed(2)} s (${((100 * n("time/update")) / stepTime).toFixed(1)}%)`],
      ["step 1 (cold)", `${Number(steps[0]!["time/step"]).toFixed(2)} s`],
      ["generated tokens (step 2)", `${n("responses") * n("response_len")}`],
      ["generated tok/s", n("perf/gen_tokens_per_s").toFixed(0)],
      ["train wall (2 steps + load)", `${wall.toFixed(2)} s`],
      [
        "judge: 64 writing samples",
        `${tWriting.toFixed(2)} s for ${judgeCalls} calls (serial ${serialJudge.toFixed(1)} s, max in flight ${maxInFlight})`,
      ],
      ["other tasks: 192 samples", `${tOthers.toFixed(2)} s`],
      [
        "all 256 in one router call",
        `${tAll.toFixed(2)} s (sum of parts ${(tWriting + tOthers).toFixed(2)} s)`,
      ],
    ];
    const w = Math.max(...rowsOut.map((x) => x[0].length));
    console.log("GRPO step: 32 prompts x G=8, <= 64 new tokens, KL k3 on\n");
    for (const [k, v] of rowsOut) console.log(`${k.padEnd(w)}  ${v}`);
    const json = {
      bench: "rl",
      model: embedded ? "models/omni-tiny" : "random-omni-tiny-sized",
      params,
      step_s: stepTime,
      step1_s: Number(steps[0]!["time/step"]),
      sampling_s: n("time/sampling"),
      reward_s: n("time/reward"),
      reference_s: n("time/reference"),
      update_s: n("time/update"),
      sampling_fraction: n("time/sampling") / stepTime,
      update_fraction: n("time/update") / stepTime,
      generated_tokens: n("responses") * n("response_len"),
      gen_tokens_per_s: n("perf/gen_tokens_per_s"),
      under_15s: stepTime < 15,
      judge_latency_ms: JUDGE_LATENCY_MS,
      judge_calls: judgeCalls,
      judge_max_in_flight: maxInFlight,
      judge_wall_s: tWriting,
      judge_serial_s: serialJudge,
      judge_calls_overlap: maxInFlight > 1 && tWriting < serialJudge / 4,
      others_wall_s: tOthers,
      all_wall_s: tAll,
      overlaps_other_tasks: tAll < tWriting + tOthers - 0.5 * Math.min(tWriting, tOthers),
    };
    console.log(JSON.stringify(json));
    await router.close();
  } finally {
    await judge.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
