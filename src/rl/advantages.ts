// Group-relative advantages. Rewards come in groups (the G responses to one prompt); each response's
// advantage says how much better it did than its siblings:
//   grpo:    (r_i - mean) / (std + eps)     std = sample std (n - 1), as torch.std
//   dr_grpo: r_i - mean                     (Dr. GRPO: no division by std)
//   rloo:    r_i - mean_{j != i} r_j        (leave-one-out baseline) = G/(G-1) * (r_i - mean)
// A group of one response has no baseline: its advantage is 0.

export const ADVANTAGE_KINDS = ["grpo", "dr_grpo", "rloo"] as const;
export type AdvantageKind = (typeof ADVANTAGE_KINDS)[number];

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divides by n - 1); 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** Advantages of one group's rewards. */
export function groupAdvantages(rewards: readonly number[], kind: AdvantageKind, eps = 1e-6): number[] {
  const n = rewards.length;
  if (n < 2) return rewards.map(() => 0);
  const m = mean(rewards);
  switch (kind) {
    case "grpo": {
      const sd = sampleStd(rewards);
      return rewards.map((r) => (r - m) / (sd + eps));
    }
    case "dr_grpo":
      return rewards.map((r) => r - m);
    case "rloo": {
      let total = 0;
      for (const r of rewards) total += r;
      return rewards.map((r) => r - (total - r) / (n - 1));
    }
  }
}

/**
 * Advantages of a flat batch whose responses are tagged with a group id (responses of one prompt share
 * it; groups need not be contiguous). Returns one advantage per response, in input order.
 */
export function computeAdvantages(
  rewards: readonly number[],
  groupIds: readonly number[],
  kind: AdvantageKind,
  eps = 1e-6,
): number[] {
  if (rewards.length !== groupIds.length) {
    throw new Error(`advantages: ${rewards.length} rewards but ${groupIds.length} group ids`);
  }
  const members = new Map<number, number[]>();
  groupIds.forEach((g, i) => {
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of members.values()) {
    const adv = groupAdvantages(
      idx.map((i) => rewards[i]!),
      kind,
      eps,
    );
    idx.forEach((i, k) => {
      out[i] = adv[k]!;
    });
  }
  return out;
}
