// OpenAI `label_model` grader: the judge classifies the sample into one of `labels`; the reward is 1
// when the label is one of `passing_labels`, else 0.
import { z } from "zod";
import type { RewardResult, RewardSample } from "../types.js";
import { result } from "../types.js";
import { createJudgeClient, type JudgeClient, type JudgeClientContext } from "./client.js";
import { JudgeEndpointConfig } from "./config.js";
import { GraderInputMessages, renderGraderInput } from "./grader-input.js";
import { askUntilParsed, ClientJudgeReward } from "./judge-reward.js";

export const LabelModelGraderConfig = JudgeEndpointConfig.extend({
  name: z.string().optional(),
  input: GraderInputMessages,
  labels: z.array(z.string().min(1)).min(2),
  passing_labels: z.array(z.string().min(1)).min(1),
  append_instructions: z.boolean().default(true),
  failure_score: z.number().default(0),
  reask_unparseable: z.number().int().nonnegative().default(1),
}).refine((c) => c.passing_labels.every((p) => c.labels.includes(p)), {
  message: "every passing label must be one of labels",
  path: ["passing_labels"],
});
export type LabelModelGraderConfig = z.output<typeof LabelModelGraderConfig>;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The chosen label: the whole reply when it is a label (case-insensitive, quotes and trailing
 * punctuation ignored), else a JSON "label" field, else the label mentioned last.
 */
export function parseLabel(reply: string, labels: readonly string[]): string | undefined {
  const bare = reply
    .trim()
    .replace(/^["'`*]+|["'`*.!]+$/g, "")
    .toLowerCase();
  const exact = labels.find((l) => l.toLowerCase() === bare);
  if (exact) return exact;
  const json = /"label"\s*:\s*"([^"]*)"/.exec(reply);
  if (json) {
    const named = labels.find((l) => l.toLowerCase() === json[1]!.toLowerCase());
    if (named) return named;
  }
  let best: { label: string; at: number } | undefined;
  for (const label of labels) {
    const re = new RegExp(`(?<![\\w-])${escapeRegExp(label)}(?![\\w-])`, "gi");
    const last = [...reply.matchAll(re)].at(-1);
    if (last && (best === undefined || last.index > best.at)) best = { label, at: last.index };
  }
  return best?.label;
}

export class LabelModelGrader extends ClientJudgeReward {
  constructor(
    private readonly cfg: LabelModelGraderConfig,
    client: JudgeClient,
  ) {
    super(cfg.name ?? "label_model", client);
  }

  protected async scoreOne(sample: RewardSample, signal?: AbortSignal): Promise<RewardResult> {
    const messages = renderGraderInput(this.cfg.input, sample);
    if (this.cfg.append_instructions) {
      messages.push({
        role: "user",
        content: `Reply with exactly one of these labels: ${this.cfg.labels.join(", ")}`,
      });
    }
    const parse = (reply: string) => parseLabel(reply, this.cfg.labels);
    const reply = await askUntilParsed(this.client, messages, this.cfg.reask_unparseable, parse, signal);
    return this.settle(reply, this.cfg.failure_score, (label) => {
      const passed = this.cfg.passing_labels.includes(label) ? 1 : 0;
      return result(passed, "ok", { metric: passed, label });
    });
  }
}

export function createLabelModelGrader(
  cfg: LabelModelGraderConfig,
  ctx: JudgeClientContext = {},
): LabelModelGrader {
  return new LabelModelGrader(cfg, createJudgeClient(cfg, ctx));
}
