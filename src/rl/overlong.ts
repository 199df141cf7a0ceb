// Overlong responses (those cut at max_new_tokens). Two treatments, as in DAPO:
//   mask:     the truncated response keeps its reward (it still counts in its group's baseline) but its
//             tokens are left out of the loss;
//   penalize: a soft length penalty is added to the reward. With L = max_new_tokens and a buffer of B
//             tokens before it: 0 up to L - B tokens, then falling linearly to -penalty at L tokens:
//             penalty * ((L - B) - len) / B. A response that reaches L tokens always gets -penalty.

export const OVERLONG_MODES = ["none", "mask", "penalize"] as const;
export type OverlongMode = (typeof OVERLONG_MODES)[number];

export function overlongPenalty(length: number, maxTokens: number, buffer: number, penalty = 1): number {
  if (length >= maxTokens) return -penalty;
  const free = maxTokens - buffer;
  if (length <= free) return 0;
  return Math.max(-penalty, (penalty * (free - length)) / buffer);
}
