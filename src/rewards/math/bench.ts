// Throughput of the math reward on plain numeric answers (GSM8K-like), for bench/rewards.ts.
import type { RewardSample } from "../types.js";
import { createMathReward, type MathRewardConfigInput } from "./index.js";

export interface MathThroughput {
  checks: number;
  seconds: number;
  checksPerSec: number;
  correct: number;
}

/** Synthetic responses: boxed, `####` and "the answer is" forms, about half of them correct. */
export function numericMathSamples(n: number): RewardSample[] {
  const samples: RewardSample[] = [];
  for (let i = 0; i < n; i++) {
    const truth = (i * 37) % 1000;
    const answer = i % 2 === 0 ? truth : truth + 1;
    const body = `We add ${i % 97} and ${(i * 7) % 89}, then multiply by ${(i % 5) + 2} to get the total.\n`;
    const tail = [`\\boxed{${answer}}`, `#### ${answer}`, `The answer is $${answer}$.`][i % 3];
    samples.push({
      dataSource: "gsm8k",
      prompt: [{ role: "user", content: "question" }],
      response: body + tail,
      groundTruth: String(truth),
    });
  }
  return samples;
}

/** Scores `n` numeric samples once to warm up, then times a second pass. */
export async function benchMathThroughput(
  n = 20000,
  config: MathRewardConfigInput = {},
): Promise<MathThroughput> {
  const reward = createMathReward(config);
  try {
    const samples = numericMathSamples(n);
    await reward.scoreBatch(samples.slice(0, Math.min(n, 2000)));
    const start = performance.now();
    const results = await reward.scoreBatch(samples);
    const seconds = (performance.now() - start) / 1000;
    const correct = results.filter((r) => r.details.metric === 1).length;
    return { checks: n, seconds, checksPerSec: n / seconds, correct };
  } finally {
    await reward.close?.();
  }
}
