// `omni-thinker eval`: resolve the model (local directory or endpoint), the tasks' held-out rows and
// the reward router, run the harness, and write the JSON result.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadRewardRouter, type RewardRouter } from "../rewards/router.js";
import { readRows } from "../tasks/io.js";
import { writeJsonAtomic } from "../util/atomic.js";
import { type EvalResult, type EvalTaskInput, evaluate } from "./evaluate.js";
import type { Generator } from "./generator.js";
import { LocalGenerator } from "./local-generator.js";
import { OpenAIGenerator } from "./openai-generator.js";

export interface EvalCliOptions {
  model?: string;
  baseUrl?: string;
  modelName?: string;
  apiKeyEnv: string;
  tasks: string[];
  data: string;
  split: string;
  limit?: number;
  samples: number;
  temperature?: number;
  topP: number;
  maxTokens: number;
  seed: number;
  rewards: string;
  out?: string;
  concurrency: number;
  batchSize: number;
  timeoutMs: number;
  retries: number;
  progress: boolean;
  keepSamples: boolean;
}

export async function makeGenerator(o: EvalCliOptions): Promise<Generator> {
  if (o.model && o.baseUrl) throw new Error("give either --model DIR or --base-url URL, not both");
  if (o.model) {
    const { loadPretrained } = await import("../models/pretrained.js");
    return new LocalGenerator(loadPretrained(o.model), { batchSize: o.batchSize });
  }
  if (o.baseUrl) {
    if (!o.modelName) throw new Error("--base-url needs --model-name NAME");
    const apiKey = process.env[o.apiKeyEnv];
    return new OpenAIGenerator({
      baseURL: o.baseUrl,
      model: o.modelName,
      ...(apiKey ? { apiKey } : {}),
      concurrency: o.concurrency,
      retries: o.retries,
      timeoutMs: o.timeoutMs,
    });
  }
  throw new Error("give --model DIR (local engine) or --base-url URL --model-name NAME (endpoint)");
}

/** Reads `<data>/<task>/<split>.jsonl` (or .parquet) for each task, keeping the first `limit` rows. */
export async function loadTaskInputs(
  o: Pick<EvalCliOptions, "tasks" | "data" | "split" | "limit">,
  router: RewardRouter,
): Promise<EvalTaskInput[]> {
  const inputs: EvalTaskInput[] = [];
  for (const task of o.tasks) {
    const base = join(o.data, task, o.split);
    const file = [`${base}.jsonl`, `${base}.parquet`].find((f) => existsSync(f));
    if (!file) throw new Error(`no ${o.split} split for task "${task}": expected ${base}.jsonl or .parquet`);
    let rows = await readRows(file);
    if (o.limit !== undefined) rows = rows.slice(0, o.limit);
    // Fail before generating anything if a row's data_source has no reward.
    for (const ds of new Set(rows.map((r) => r.data_source))) router.resolve(ds);
    inputs.push({
      task,
      rows,
      judged: rows.length > 0 && router.isJudged(rows[0]!.data_source),
    });
  }
  return inputs;
}

export async function runEval(o: EvalCliOptions): Promise<EvalResult> {
  const router = loadRewardRouter(o.rewards);
  const generator = await makeGenerator(o);
  try {
    const inputs = await loadTaskInputs(o, router);
    const result = await evaluate(generator, router, inputs, {
      n: o.samples,
      temperature: o.temperature ?? (o.samples > 1 ? 1 : 0),
      topP: o.topP,
      maxTokens: o.maxTokens,
      seed: o.seed,
      progress: o.progress,
      keepSamples: o.keepSamples,
    });
    if (o.out) writeJsonAtomic(o.out, result);
    return result;
  } finally {
    await generator.close?.();
    await router.close();
  }
}
