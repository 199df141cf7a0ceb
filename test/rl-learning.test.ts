import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RewardRouter } from "../src/rewards/router.js";
import { type Reward, result } from "../src/rewards/types.js";
import { parseTrainConfig } from "../src/rl/config.js";
import { readJsonl } from "../src/rl/run-files.js";
import { train } from "../src/rl/trainer.js";
import { tempDir } from "./helpers/temp-dir.js";
import { toyRow, writeTaskRows, writeTinyPolicy } from "./helpers/tiny-policy.js";

/** A TRL-style reward function: the share of the response's characters that are lowercase a-z. */
const letterShare: Reward = {
  name: "letter_share",
  async scoreBatch(samples) {
    return samples.map((s) => {
      const chars = [...s.response];
      const share = chars.length === 0 ? 0 : chars.filter((c) => c >= "a" && c <= "z").length / chars.length;
      return result(share, "ok", { metric: share });
    });
  },
};

function setup() {
  const dir = tempDir("rl-learn-");
  const model = writeTinyPolicy(join(dir, "model"), { seed: 3 });
  const rows = Array.from({ length: 16 }, (_, i) => toyRow("toy", i, `Write ${i}.`, "x"));
  writeTaskRows(join(dir, "data"), "train", { toy: rows });
  writeTaskRows(join(dir, "data"), "test", { toy: rows.slice(0, 4) });
  return { dir, model };
}

test("GRPO raises the mean reward of a learnable reward on a tiny model", async () => {
  const { dir, model } = setup();
  const cfg = parseTrainConfig(
    {
      name: "learn",
      out_dir: join(dir, "runs"),
      model,
      data: { dir: join(dir, "data") },
      tasks: ["toy"],
      steps: 20,
      seed: 1,
      rl: { group_size: 8, prompts_per_step: 4, max_new_tokens: 8, micro_batch_size: 32 },
      optim: { lr: 3e-3, warmup_steps: 0, min_lr_ratio: 1 },
      save_every: 0,
      progress: false,
      log_samples: 2,
    },
    "test",
  );
  const router = new RewardRouter([{ pattern: "toy", reward: letterShare }]);
  const started = Date.now();
  const res = await train(cfg, { router, log: () => {} });
  const metrics = readJsonl(join(res.runDir, "metrics.jsonl")).filter((m) => m.kind === "train");
  assert.equal(metrics.length, 20);
  const reward = metrics.map((m) => m.reward_mean as number);
  const first = (reward[0]! + reward[1]! + reward[2]! + reward[3]!) / 4;
  const last = (reward[16]! + reward[17]! + reward[18]! + reward[19]!) / 4;
  console.log(
    `letter share: first 4 steps ${first.toFixed(3)}, last 4 steps ${last.toFixed(3)} (${Date.now() - started} ms)`,
  );
  assert.ok(last > first + 0.1, `mean reward rose only from ${first.toFixed(3)} to ${last.toFixed(3)}`);
  // the metrics carry per-task keys and the time split
  const m = metrics[0]!;
  for (const k of [
    "toy/reward_mean",
    "toy/status/ok",
    "toy/loss_token_share",
    "grad_norm",
    "lr",
    "time/sampling",
    "time/update",
    "perf/gen_tokens_per_s",
  ]) {
    assert.ok(k in m, `metrics lack ${k}`);
  }
  assert.equal(m["toy/loss_token_share"], 1);
  assert.equal(m["toy/status/ok"], 32);
  const samples = readJsonl(join(res.runDir, "samples.jsonl"));
  assert.equal(samples.length, 2 * 20);
  assert.ok(existsSync(join(res.runDir, "checkpoints", "step-20", "model.safetensors")));
  assert.match(readFileSync(join(res.runDir, "config.yaml"), "utf8"), /max_new_tokens: 8/);
});

test("rl.greedy_in_group logs the greedy anchors' metric, and samples.jsonl marks the anchors", async () => {
  const { dir, model } = setup();
  const cfg = parseTrainConfig(
    {
      name: "anchor",
      out_dir: join(dir, "runs"),
      model,
      data: { dir: join(dir, "data") },
      tasks: ["toy"],
      steps: 2,
      rl: { group_size: 4, prompts_per_step: 4, max_new_tokens: 8, greedy_in_group: true },
      save_every: 0,
      progress: false,
      log_samples: 4,
    },
    "test",
  );
  const router = new RewardRouter([{ pattern: "toy", reward: letterShare }]);
  const res = await train(cfg, { router, log: () => {} });
  const metrics = readJsonl(join(res.runDir, "metrics.jsonl")).filter((m) => m.kind === "train");
  const samples = readJsonl(join(res.runDir, "samples.jsonl"));
  for (const m of metrics) {
    // log_samples = prompts_per_step: samples.jsonl holds every group's first response, the anchor
    const anchors = samples.filter((s) => s.step === m.step);
    assert.equal(anchors.length, 4);
    assert.ok(anchors.every((s) => s.greedy === true));
    const anchorMean = anchors.reduce((a, s) => a + (s.metric as number), 0) / anchors.length;
    assert.ok(Math.abs((m.greedy_metric_mean as number) - anchorMean) < 1e-9, `step ${m.step}`);
    assert.equal(m["toy/greedy_metric_mean"], m.greedy_metric_mean);
  }
});
