// Format reward and weighting, applied around any task reward:
//   add mode (default):  score = weight * task_score + format.weight * format_ok   (format_ok in {0,1})
//   gate mode:           a response that misses the pattern is not scored by the task at all; it gets
//                        status wrong_format, score format.fail_score and metric 0.
// details.metric stays the task's raw metric: the format bonus shapes the reward, not the metric.
import { z } from "zod";
import type { Reward, RewardResult, RewardSample } from "./types.js";
import { result } from "./types.js";

export const FormatRewardConfig = z.strictObject({
  /** A JavaScript regular expression searched in the response; `.` also matches newlines. */
  pattern: z.string().refine((p) => {
    try {
      new RegExp(p, "s");
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression"),
  weight: z.number().default(0.1),
  mode: z.enum(["add", "gate"]).default("add"),
  /** Score of a response that misses the pattern in gate mode. */
  fail_score: z.number().default(0),
});
export type FormatRewardConfig = z.output<typeof FormatRewardConfig>;

export function formatMatches(response: string, format: FormatRewardConfig): boolean {
  return new RegExp(format.pattern, "s").test(response);
}

/** Applies `weight` and an optional format reward to `inner`; returns `inner` itself when neither applies. */
export function withWeightAndFormat(inner: Reward, weight: number, format?: FormatRewardConfig): Reward {
  if (weight === 1 && !format) return inner;
  return {
    name: inner.name,
    async scoreBatch(samples: RewardSample[], opts) {
      const matched = samples.map((s) => (format ? formatMatches(s.response, format) : true));
      const gated = format?.mode === "gate";
      // In gate mode only matching responses reach the task reward.
      const toScore = samples.map((_, i) => i).filter((i) => !gated || matched[i]);
      const inner_results = await inner.scoreBatch(
        toScore.map((i) => samples[i]!),
        { ...opts, groupIds: opts?.groupIds ? toScore.map((i) => opts.groupIds![i]!) : undefined },
      );
      const out: RewardResult[] = new Array(samples.length);
      toScore.forEach((i, k) => {
        const r = inner_results[k]!;
        const formatScore = format && !gated ? format.weight * (matched[i] ? 1 : 0) : 0;
        out[i] = {
          score: weight * r.score + formatScore,
          status: r.status,
          details: { ...r.details, task_score: r.score, ...(format ? { format_ok: matched[i] } : {}) },
        };
      });
      for (let i = 0; i < samples.length; i++) {
        if (!out[i]) out[i] = result(format!.fail_score, "wrong_format", { metric: 0, format_ok: false });
      }
      return out;
    },
    close: inner.close ? () => inner.close!() : undefined,
  };
}
