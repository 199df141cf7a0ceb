// The reward interface shared by every verifier, grader and judge.
// A reward never fails silently: every result carries a status saying why it scored what it scored.

export const REWARD_STATUSES = [
  "ok",
  "no_answer",
  "wrong_format",
  "timeout",
  "sandbox_error",
  "judge_error",
  "judge_unparseable",
] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | (string & {});
  content: string;
}

/** One response to score. Mirrors a verl row plus the model's response. */
export interface RewardSample {
  /** Task name; the router picks the reward by it. */
  dataSource: string;
  prompt: ChatMessage[];
  response: string;
  /** Ground truth or reference (verl `reward_model.ground_truth`); may be a string or structured value. */
  groundTruth: unknown;
  extraInfo?: Record<string, unknown>;
}

export interface RewardResult {
  /** The shaped reward used for training. */
  score: number;
  status: RewardStatus;
  /**
   * Free-form explanation: which extractor matched, which test failed, the judge's verdicts...
   * `details.metric` (0..1), when present, is the raw task metric (accuracy, pass) used for
   * dynamic sampling and evaluation, as opposed to the shaped `score`.
   */
  details: Record<string, unknown>;
}

/**
 * A reward scores a batch of samples. Samples that share `groupId` are responses to the same
 * prompt; pairwise judges may use that (e.g. to judge against siblings).
 */
export interface Reward {
  readonly name: string;
  scoreBatch(
    samples: RewardSample[],
    opts?: { groupIds?: number[]; signal?: AbortSignal },
  ): Promise<RewardResult[]>;
  /** Releases worker pools, sockets, caches. */
  close?(): Promise<void>;
}

export function result(
  score: number,
  status: RewardStatus,
  details: Record<string, unknown> = {},
): RewardResult {
  return { score, status, details };
}
