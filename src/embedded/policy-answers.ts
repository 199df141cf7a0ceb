// The policy's own answers to writing prompts, for the judge's training and evaluation pairs.
// A judge trained only on edited references (judge-pairs.ts candidates) has never seen what it will
// actually be asked about: a small policy's answers against the reference. On those it can be far off
// the rubric (it rated omni-tiny's greedy test answers better than the reference in 68% of prompts,
// where the rubric says 14%), so its reward is easy to please. Pairs of policy answers against
// the reference, labelled by the same rubric, put that case into training and into the evaluation.
import type { LocalChatModel } from "../models/chat-model.js";
import type { Row } from "../tasks/schema.js";
import { Progress } from "../util/progress.js";

export interface PolicyAnswerOptions {
  /** Answers per prompt: the first greedy, the rest sampled at temperature 1 (as GRPO samples). */
  samples: number;
  maxTokens: number;
  seed: number;
  /** Shown on the progress bar. */
  label?: string;
}

/** `samples` answers of `policy` to each row's prompt, in row order. */
export async function policyAnswers(
  policy: LocalChatModel,
  rows: readonly Row[],
  o: PolicyAnswerOptions,
): Promise<string[][]> {
  const progress = new Progress({ label: o.label ?? "policy answers", total: rows.length * o.samples });
  const ask = async (row: Row, k: number, i: number): Promise<string> => {
    const result = await policy.complete({
      messages: row.prompt,
      temperature: k === 0 ? 0 : 1,
      maxTokens: o.maxTokens,
      seed: o.seed + i * o.samples + k,
    });
    progress.tick();
    return result.choices[0]!.text.trim();
  };
  // queued together, the model batches them into sampler calls of up to maxBatchRows rows
  const answers = await Promise.all(
    rows.map((row, i) => Promise.all(Array.from({ length: o.samples }, (_, k) => ask(row, k, i)))),
  );
  progress.finish();
  return answers;
}
