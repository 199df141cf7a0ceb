import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readJsonl } from "../src/rl/run-files.js";
import { isTimingKey } from "../src/rl/step-metrics.js";
import { tempDir } from "./helpers/temp-dir.js";
import { toyRow, writeTaskRows, writeTinyPolicy } from "./helpers/tiny-policy.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "helpers", "train-cli.js");

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [CLI, "train", ...args, "--no-progress"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function run(args: string[]): Promise<Finished> {
  const r = await start(args).done;
  assert.equal(r.code, 0, `train ${args.join(" ")} failed:\n${r.stderr}`);
  return r;
}

/** Metrics with wall-clock and process-local (judge) keys removed. */
function comparable(file: string): Record<string, unknown>[] {
  return readJsonl(file).map((m) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => !isTimingKey(k) && !k.startsWith("judge/"))),
  );
}

function setup(): { dir: string; config: string } {
  const dir = tempDir("rl-resume-");
  const model = writeTinyPolicy(join(dir, "model"), { seed: 5 });
  const rows = Array.from({ length: 12 }, (_, i) => toyRow("toy", i, `Say hello ${i}.`, "hello world"));
  writeTaskRows(join(dir, "data"), "train", { toy: rows });
  writeTaskRows(join(dir, "data"), "test", { toy: rows.slice(0, 2) });
  writeFileSync(
    join(dir, "rewards.yaml"),
    [
      "rewards:",
      "  toy:",
      "    type: text_similarity",
      '    input: "{{sample.output_text}}"',
      '    reference: "{{item.ground_truth}}"',
      "    evaluation_metric: fuzzy_match",
      "",
    ].join("\n"),
  );
  const config = join(dir, "train.yaml");
  writeFileSync(
    config,
    [
      `out_dir: ${join(dir, "runs")}`,
      `model: ${model}`,
      `rewards: ${join(dir, "rewards.yaml")}`,
      `data: {dir: ${join(dir, "data")}}`,
      "tasks: [toy]",
      "steps: 6",
      "seed: 7",
      "save_every: 3",
      "log_samples: 2",
      "rl:",
      "  group_size: 6",
      "  prompts_per_step: 4",
      "  max_new_tokens: 16",
      "  kl_coef: 0.05",
      "  kl_estimator: k3",
      "  ppo_epochs: 2",
      "  mini_batch_size: 12",
      "  micro_batch_size: 6",
      "  dynamic_sampling: true",
      "  loss_agg: seq-mean-token-mean",
      "optim: {lr: 0.003, warmup_steps: 2}",
      "eval: {every: 3, limit: 2, max_new_tokens: 8}",
      "",
    ].join("\n"),
  );
  return { dir, config };
}

test("a run killed with SIGKILL after its step-3 checkpoint resumes to the same metrics and bitwise-equal weights", async () => {
  const { dir, config } = setup();
  const runs = join(dir, "runs");
  await run(["--config", config, "--name", "straight"]);

  // Same config, killed as soon as its step-3 checkpoint is in place.
  const killed = start(["--config", config, "--name", "killed"]);
  const ckpt3 = join(runs, "killed", "checkpoints", "step-3");
  let exited = false;
  void killed.done.then(() => {
    exited = true;
  });
  while (!existsSync(ckpt3) && !exited) await new Promise((r) => setTimeout(r, 5));
  killed.child.kill("SIGKILL");
  const k = await killed.done;
  assert.equal(k.signal, "SIGKILL", "the run finished before it could be killed");
  assert.ok(!existsSync(join(runs, "killed", "checkpoints", "step-6")));

  const resumed = await run(["--resume", join(runs, "killed")]);
  assert.match(resumed.stderr, /resumed .*killed from checkpoint step 3/);

  const a = comparable(join(runs, "straight", "metrics.jsonl"));
  const b = comparable(join(runs, "killed", "metrics.jsonl"));
  assert.deepEqual(
    a.map((m) => `${m.kind}:${m.step}`),
    ["train:1", "train:2", "train:3", "eval:3", "train:4", "train:5", "train:6", "eval:6"],
  );
  assert.deepEqual(b, a);
  assert.ok((a[5]!.kl as number) > 0, "the KL term is live");
  assert.deepEqual(
    readJsonl(join(runs, "killed", "samples.jsonl")),
    readJsonl(join(runs, "straight", "samples.jsonl")),
  );
  const weights = (run: string) =>
    readFileSync(join(runs, run, "checkpoints", "step-6", "model.safetensors"));
  assert.ok(weights("straight").equals(weights("killed")), "final weights differ");
  const initial = readFileSync(join(dir, "model", "model.safetensors"));
  assert.ok(!weights("straight").equals(initial), "training changed nothing");
  assert.ok(existsSync(join(runs, "killed", "eval", "step-6.json")));

  // A corrupt newest checkpoint: detected, reported, and the previous good one is used.
  const damaged = join(runs, "straight", "checkpoints", "step-6", "model.safetensors");
  const bytes = readFileSync(damaged);
  bytes[bytes.length - 10]! ^= 0xff;
  writeFileSync(damaged, bytes);
  const fallback = await run(["--resume", join(runs, "straight")]);
  assert.match(fallback.stderr, /skipping damaged step 6: .*sha256 mismatch.*falling back to step 3/);
  assert.match(fallback.stderr, /resumed .*straight from checkpoint step 3/);
  assert.ok(
    weights("straight").equals(weights("killed")),
    "steps 4-6 re-run from step 3 reproduce the weights",
  );
  assert.deepEqual(comparable(join(runs, "straight", "metrics.jsonl")), a);
});
