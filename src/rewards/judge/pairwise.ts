// Pairwise judge reward: the response is compared with the dataset's reference answer, in both
// orders. Agreeing verdicts stand; disagreeing ones (a position flip) score as a tie. Win/tie/loss map
// to configurable rewards; failures carry their status and the configured failure score.
import { z } from "zod";
import type { ChatMessage, RewardResult, RewardSample } from "../types.js";
import { result } from "../types.js";
import { createJudgeClient, type JudgeClient, type JudgeClientContext } from "./client.js";
import { JudgeEndpointConfig } from "./config.js";
import { askUntilParsed, ClientJudgeReward } from "./judge-reward.js";
import {
  PAIRWISE_SYSTEM_PROMPT,
  pairwiseMessages,
  parseVerdict,
  questionText,
  type Verdict,
} from "./pairwise-prompt.js";

export const PairwiseJudgeConfig = JudgeEndpointConfig.extend({
  /** Reward for a win / tie / loss of the response against the reference. */
  rewards: z
    .object({
      win: z.number().default(1),
      tie: z.number().default(0.25),
      loss: z.number().default(-0.5),
    })
    .prefault({}),
  /** Score given with status judge_error or judge_unparseable (the status is always set). */
  failure_score: z.number().default(0),
  /** Judge both orders and call disagreements a tie. Turning it off halves the cost and keeps the bias. */
  both_orders: z.boolean().default(true),
  /** How many times to ask again (at a different cache slot) after a reply with no verdict. */
  reask_unparseable: z.number().int().nonnegative().default(1),
  system_prompt: z.string().default(PAIRWISE_SYSTEM_PROMPT),
});
export type PairwiseJudgeConfig = z.output<typeof PairwiseJudgeConfig>;

export type Outcome = "win" | "tie" | "loss";
const METRIC: Record<Outcome, number> = { win: 1, tie: 0.5, loss: 0 };

export class PairwiseJudgeReward extends ClientJudgeReward {
  constructor(
    private readonly cfg: PairwiseJudgeConfig,
    client: JudgeClient,
    name = "judge_pairwise",
  ) {
    super(name, client);
  }

  protected async scoreOne(sample: RewardSample, signal?: AbortSignal): Promise<RewardResult> {
    const reference = referenceText(sample);
    const question =
      typeof sample.extraInfo?.question === "string"
        ? sample.extraInfo.question
        : questionText(sample.prompt);
    const response = sample.response;
    const judgeOrder = (messages: ChatMessage[]) =>
      askUntilParsed(this.client, messages, this.cfg.reask_unparseable, parseVerdict, signal);
    const orders = [judgeOrder(pairwiseMessages(question, response, reference, this.cfg.system_prompt))];
    if (this.cfg.both_orders) {
      orders.push(judgeOrder(pairwiseMessages(question, reference, response, this.cfg.system_prompt)));
    }
    const results = await Promise.all(orders);
    const verdicts: Verdict[] = [];
    for (const r of results) if (r.kind === "parsed") verdicts.push(r.value);
    const replies = results.map((r) => (r.kind === "error" ? `error: ${r.error}` : clip(r.reply)));
    const stats = this.client.stats;

    const failed = results.find((r) => r.kind === "error");
    if (failed && failed.kind === "error") {
      stats.recordStatus("judge_error");
      return result(this.cfg.failure_score, "judge_error", {
        error: failed.error,
        timed_out: failed.timedOut,
        replies,
      });
    }
    if (results.some((r) => r.kind === "unparseable")) {
      stats.recordStatus("judge_unparseable");
      return result(this.cfg.failure_score, "judge_unparseable", { replies });
    }
    // Verdicts seen from the response's side: in order 1 it is A, in order 2 it is B.
    const outcomes = verdicts.map((v, i) => toOutcome(v, i === 0 ? "A" : "B"));
    const flipped = outcomes.length === 2 && outcomes[0] !== outcomes[1];
    const outcome: Outcome = flipped ? "tie" : outcomes[0]!;
    stats.recordStatus("ok");
    stats.recordPair(
      flipped,
      outcome === "tie" ? undefined : outcome === "win",
      response.length - reference.length,
    );
    return result(this.cfg.rewards[outcome], "ok", {
      metric: METRIC[outcome],
      verdict: outcome,
      verdicts,
      position_flip: flipped,
      replies,
    });
  }
}

function toOutcome(verdict: Verdict, responseSide: "A" | "B"): Outcome {
  if (verdict === "C") return "tie";
  return verdict === responseSide ? "win" : "loss";
}

/** The reference answer: ground_truth as a string, or its `reference` field. */
function referenceText(sample: RewardSample): string {
  const gt = sample.groundTruth;
  if (typeof gt === "string") return gt;
  if (gt && typeof gt === "object" && typeof (gt as { reference?: unknown }).reference === "string") {
    return (gt as { reference: string }).reference;
  }
  throw new Error(
    `judge_pairwise (data_source ${sample.dataSource}): ground_truth must be the reference answer (a string or {reference: string})`,
  );
}

function clip(text: string, max = 600): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

export function createPairwiseJudgeReward(
  cfg: PairwiseJudgeConfig,
  ctx: JudgeClientContext = {},
  name?: string,
): PairwiseJudgeReward {
  return new PairwiseJudgeReward(cfg, createJudgeClient(cfg, ctx), name);
}
