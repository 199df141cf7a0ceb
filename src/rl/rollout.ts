// Rollouts: G sampled responses per drawn prompt, in one batched generate call, plus everything the
// rest of the step attaches to each response (reward, metric, status, advantage, reference log-probs).
import type { Rng } from "../engine/rng.js";
import type { LlamaModel } from "../models/llama.js";
import { generate } from "../models/sampler.js";
import type { TextTokenizer } from "../models/tokenizer.js";
import type { RewardStatus } from "../rewards/types.js";
import type { DrawnPrompt } from "../schedule/task-sampler.js";
import type { Row } from "../tasks/schema.js";

export interface Rollout {
  task: string;
  /** Responses to the same prompt share a group id (unique within a step). */
  group: number;
  row: Row;
  rowIndex: number;
  promptIds: number[];
  responseIds: number[];
  /** Behaviour-policy log-probs of the response tokens (temperature 1, as the loss uses). */
  oldLogp: Float32Array;
  refLogp?: Float32Array;
  finishReason: "stop" | "length" | "eos";
  /** Decoded greedily (the group's anchor under rl.greedy_in_group) rather than sampled. */
  greedy: boolean;
  text: string;
  promptTruncated: boolean;
  // filled in after scoring
  reward: number;
  /** The reward router's score before trainer-level shaping (overlong penalty, format reward). */
  taskScore: number;
  metric: number;
  status: RewardStatus;
  details: Record<string, unknown>;
  advantage: number;
  /** False when the response is kept out of the loss (overlong masking). */
  inLoss: boolean;
}

export interface RolloutOptions {
  groupSize: number;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop: string[];
  maxPromptTokens: number;
  eosTokenIds: number[];
  /** The first response of every group is the greedy decode, the other groupSize - 1 are sampled. */
  greedyInGroup: boolean;
}

/** Chat-templated prompt ids, cut from the left to at most `maxTokens`. */
export function encodePrompt(
  tokenizer: TextTokenizer,
  row: Row,
  maxTokens: number,
): { ids: number[]; truncated: boolean } {
  const text = tokenizer.applyChatTemplate(row.prompt, { addGenerationPrompt: true });
  const ids = tokenizer.encode(text, { addSpecialTokens: false });
  if (ids.length <= maxTokens) return { ids, truncated: false };
  return { ids: ids.slice(ids.length - maxTokens), truncated: true };
}

/** Samples groupSize responses for every prompt in one batched generate call. */
export function sampleRollouts(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  prompts: readonly DrawnPrompt[],
  firstGroup: number,
  opts: RolloutOptions,
  rng: Rng,
): Rollout[] {
  if (prompts.length === 0) return [];
  const maxPos = model.config.max_position_embeddings;
  const promptRoom = Math.max(1, Math.min(opts.maxPromptTokens, maxPos - 1));
  const encoded = prompts.map((p) => encodePrompt(tokenizer, p.row, promptRoom));
  const longest = Math.max(...encoded.map((e) => e.ids.length));
  const maxNew = Math.max(1, Math.min(opts.maxNewTokens, maxPos - longest));
  const jobs = prompts.flatMap((p, i) =>
    Array.from({ length: opts.groupSize }, (_, k) => ({ p, i, greedy: opts.greedyInGroup && k === 0 })),
  );
  const decode = (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const gens = generate(
    model,
    jobs.map((j) => encoded[j.i]!.ids),
    {
      maxNewTokens: maxNew,
      temperature: opts.temperature,
      greedyRows: opts.greedyInGroup ? jobs.map((j) => j.greedy) : undefined,
      topP: opts.topP,
      topK: opts.topK,
      stop: opts.stop,
      eosTokenIds: opts.eosTokenIds,
      decode,
      sampleVocabSize: Math.min(model.config.vocab_size, tokenizer.vocabSize),
      rng,
    },
  );
  return jobs.map((job, k) => {
    const g = gens[k]!;
    return {
      task: job.p.task,
      group: firstGroup + job.i,
      row: job.p.row,
      rowIndex: job.p.rowIndex,
      promptIds: encoded[job.i]!.ids,
      responseIds: g.tokens,
      oldLogp: Float32Array.from(g.logprobs),
      finishReason: g.finishReason,
      greedy: job.greedy,
      text: g.text ?? decode(g.tokens),
      promptTruncated: encoded[job.i]!.truncated,
      reward: 0,
      taskScore: 0,
      metric: 0,
      status: "ok",
      details: {},
      advantage: 0,
      inLoss: true,
    };
  });
}
