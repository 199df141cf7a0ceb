// What every judge-backed reward shares: the JudgeReward interface the trainer and router read (health
// statistics, cache position, judge identity), a base class that forwards those to the JudgeClient,
// and the ask-and-re-ask loop that turns a reply into a parsed verdict, score or label.
import { type ChatMessage, type Reward, type RewardResult, type RewardSample, result } from "../types.js";
import type { JudgeClient, JudgeIdentity, JudgeReply } from "./client.js";
import type { JudgeStatsSnapshot } from "./stats.js";

/** A reward backed by an LLM judge; exposes the judge's health metrics and cache position. */
export interface JudgeReward extends Reward {
  judgeStats(): JudgeStatsSnapshot;
  /** Entries in the persistent cache: a trainer checkpoints this. */
  cachePointer(): number;
  /** Which judge gives the verdicts (cached scores must change when it does). */
  judgeIdentity(): JudgeIdentity;
}

export function isJudgeReward(reward: Reward): reward is JudgeReward {
  return typeof (reward as Partial<JudgeReward>).judgeStats === "function";
}

/** A JudgeReward that scores each sample on its own through one JudgeClient. */
export abstract class ClientJudgeReward implements JudgeReward {
  constructor(
    readonly name: string,
    protected readonly client: JudgeClient,
  ) {}

  scoreBatch(samples: RewardSample[], opts?: { signal?: AbortSignal }): Promise<RewardResult[]> {
    return Promise.all(samples.map((s) => this.scoreOne(s, opts?.signal)));
  }

  protected abstract scoreOne(sample: RewardSample, signal?: AbortSignal): Promise<RewardResult>;

  /**
   * The result of one asked-and-parsed reply, its status recorded: `scored(value)` when it parsed,
   * else `failureScore` with status judge_error or judge_unparseable.
   */
  protected settle<T>(
    reply: ParsedReply<T>,
    failureScore: number,
    scored: (value: T) => RewardResult,
  ): RewardResult {
    this.client.stats.recordStatus(reply.kind === "parsed" ? "ok" : `judge_${reply.kind}`);
    if (reply.kind === "parsed") return scored(reply.value);
    if (reply.kind === "error")
      return result(failureScore, "judge_error", { error: reply.error, timed_out: reply.timedOut });
    return result(failureScore, "judge_unparseable", { reply: reply.reply.slice(0, 600) });
  }

  judgeStats(): JudgeStatsSnapshot {
    return this.client.stats.snapshot();
  }

  cachePointer(): number {
    return this.client.cache.pointer;
  }

  judgeIdentity(): JudgeIdentity {
    return this.client.identity;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export type ParsedReply<T> =
  | { kind: "parsed"; value: T; reply: string }
  | { kind: "unparseable"; reply: string }
  | { kind: "error"; error: string; timedOut: boolean };

/**
 * Asks the judge, then again (at a new cache slot) up to `reasks` times while `parse` finds nothing
 * in the reply. A transport failure ends it at once.
 */
export async function askUntilParsed<T>(
  client: JudgeClient,
  messages: ChatMessage[],
  reasks: number,
  parse: (reply: string) => T | undefined,
  signal?: AbortSignal,
): Promise<ParsedReply<T>> {
  let last: JudgeReply | undefined;
  for (let variant = 0; variant <= reasks; variant++) {
    last = await client.ask(messages, variant, signal);
    if (!last.ok) return { kind: "error", error: last.error, timedOut: last.timedOut };
    const value = parse(last.text);
    if (value !== undefined) return { kind: "parsed", value, reply: last.text };
  }
  return { kind: "unparseable", reply: last?.ok ? last.text : "" };
}
