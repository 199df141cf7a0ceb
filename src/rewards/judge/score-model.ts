// OpenAI `score_model` grader: the judge reads rendered messages and replies with a number in
// `range`; the reward is that number scaled to [0,1]. A reply without a number in range is
// judge_unparseable (after the configured re-asks), a transport failure judge_error.
import { z } from "zod";
import type { RewardResult, RewardSample } from "../types.js";
import { result } from "../types.js";
import { createJudgeClient, type JudgeClient, type JudgeClientContext } from "./client.js";
import { JudgeEndpointConfig } from "./config.js";
import { GraderInputMessages, renderGraderInput } from "./grader-input.js";
import { askUntilParsed, ClientJudgeReward } from "./judge-reward.js";

export const ScoreModelGraderConfig = JudgeEndpointConfig.extend({
  name: z.string().optional(),
  input: GraderInputMessages,
  range: z
    .tuple([z.number(), z.number()])
    .default([0, 1])
    .refine(([lo, hi]) => hi > lo, "range must be [min, max] with max > min"),
  /** OpenAI's sampling_params; when given they override temperature / max_tokens. */
  sampling_params: z
    .object({
      temperature: z.number().min(0).optional(),
      max_completions_tokens: z.number().int().positive().optional(),
    })
    .optional(),
  /** Append one message telling the judge how to state its score. */
  append_instructions: z.boolean().default(true),
  failure_score: z.number().default(0),
  reask_unparseable: z.number().int().nonnegative().default(1),
});
export type ScoreModelGraderConfig = z.output<typeof ScoreModelGraderConfig>;

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;

/**
 * Reads the score: `[[x]]`, then the last `score: x`, then a JSON `"score"`/`"result"` field, then
 * the last number in the reply.
 */
export function parseScore(reply: string): number | undefined {
  const patterns = [
    new RegExp(String.raw`\[\[\s*(${NUMBER})\s*\]\]`, "g"),
    new RegExp(String.raw`score\s*[:=]\s*\**\s*(${NUMBER})`, "gi"),
    new RegExp(String.raw`"(?:score|result)"\s*:\s*(${NUMBER})`, "g"),
    new RegExp(`(${NUMBER})`, "g"),
  ];
  for (const re of patterns) {
    const last = [...reply.matchAll(re)].at(-1);
    if (last) return Number(last[1]);
  }
  return undefined;
}

export class ScoreModelGrader extends ClientJudgeReward {
  constructor(
    private readonly cfg: ScoreModelGraderConfig,
    client: JudgeClient,
  ) {
    super(cfg.name ?? "score_model", client);
  }

  protected async scoreOne(sample: RewardSample, signal?: AbortSignal): Promise<RewardResult> {
    const [lo, hi] = this.cfg.range;
    const messages = renderGraderInput(this.cfg.input, sample);
    if (this.cfg.append_instructions) {
      messages.push({
        role: "user",
        content: `End your reply with the score, a number from ${lo} to ${hi}, written as: SCORE: <number>`,
      });
    }
    const inRange = (reply: string) => {
      const raw = parseScore(reply);
      return raw !== undefined && raw >= lo && raw <= hi ? raw : undefined;
    };
    const reply = await askUntilParsed(this.client, messages, this.cfg.reask_unparseable, inRange, signal);
    return this.settle(reply, this.cfg.failure_score, (raw) => {
      const scaled = (raw - lo) / (hi - lo);
      return result(scaled, "ok", { metric: scaled, raw_score: raw });
    });
  }
}

export function createScoreModelGrader(
  cfg: ScoreModelGraderConfig,
  ctx: JudgeClientContext = {},
): ScoreModelGrader {
  const effective = {
    ...cfg,
    temperature: cfg.sampling_params?.temperature ?? cfg.temperature,
    max_tokens: cfg.sampling_params?.max_completions_tokens ?? cfg.max_tokens,
  };
  return new ScoreModelGrader(effective, createJudgeClient(effective, ctx));
}
