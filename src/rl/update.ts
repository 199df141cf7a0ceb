// The optimization phase of a step: ppo_epochs passes over the step's rollouts in mini-batches. Each
// mini-batch is one optimizer step; its loss weights come from the aggregation over the whole
// mini-batch, and its micro-batches (forward + backward each) accumulate gradients.
import type { AdamW } from "../engine/adamw.js";
import type { Rng } from "../engine/rng.js";
import type { LlamaModel } from "../models/llama.js";
import { type LossAggregation, sequenceWeights } from "./aggregation.js";
import { chunks, packSharedPrefix } from "./packing.js";
import { type PolicyLossConfig, sequenceLoss } from "./policy-loss.js";
import type { Rollout } from "./rollout.js";

export interface UpdateOptions {
  loss: PolicyLossConfig;
  aggregation: LossAggregation;
  /** Divisor for seq-mean-token-sum-norm. */
  normTokens: number;
  ppoEpochs: number;
  /** Sequences per optimizer step (null = all). */
  miniBatchSize: number | null;
  microBatchSize: number;
  lr: number;
  gradClip: number;
}

export interface TaskUpdateStats {
  /** Loss tokens of this task in one epoch. */
  tokens: number;
  /** Sum of this task's aggregation weight (w * tokens) over one epoch's mini-batches. */
  weight: number;
  klSum: number;
  entropySum: number;
  clippedTokens: number;
  /** Tokens seen over all epochs (denominator of the sums above). */
  tokensSeen: number;
}

export interface UpdateStats {
  /** Mean over optimizer steps of the aggregated loss. */
  loss: number;
  optimizerSteps: number;
  gradNormMean: number;
  gradNormMax: number;
  tokens: number;
  kl: number;
  entropy: number;
  clipFraction: number;
  perTask: Record<string, TaskUpdateStats>;
}

/**
 * Rollouts with each prompt's group kept together (packSharedPrefix puts a group in one row), groups
 * ordered by their packed length (stable), so a micro-batch pads to a length close to its rows' own:
 * prompts of different tasks differ a lot in length, and padding costs the full forward/backward.
 */
export function byLength<T extends Rollout>(rollouts: readonly T[]): T[] {
  const groups = new Map<number, T[]>();
  for (const r of rollouts) {
    const g = groups.get(r.group);
    if (g) g.push(r);
    else groups.set(r.group, [r]);
  }
  const packed = (g: T[]) => g[0]!.promptIds.length + g.reduce((a, r) => a + r.responseIds.length, 0);
  return [...groups.values()]
    .map((g, i) => ({ g, i, len: packed(g) }))
    .sort((a, b) => a.len - b.len || a.i - b.i)
    .flatMap((x) => x.g);
}

/** Log-probs of every rollout's response tokens under `model` (forward only), in micro-batches. */
export function responseLogprobs(
  model: LlamaModel,
  rollouts: readonly Rollout[],
  micro: number,
): Float32Array[] {
  const out = new Map<Rollout, Float32Array>();
  for (const group of chunks(byLength(rollouts), micro)) {
    const batch = packSharedPrefix(group);
    const { logprobs } = model.forward(batch.tokens, batch.targets, batch.B, batch.T, {
      layout: batch.layout,
    });
    group.forEach((r, b) => {
      const span = batch.spans[b]!;
      out.set(r, logprobs.slice(span.start, span.start + span.length));
    });
  }
  return rollouts.map((r) => out.get(r)!);
}

export function ppoUpdate(
  model: LlamaModel,
  optimizer: AdamW,
  rollouts: readonly Rollout[],
  opts: UpdateOptions,
  rng: Rng,
): UpdateStats {
  const stats: UpdateStats = {
    loss: 0,
    optimizerSteps: 0,
    gradNormMean: 0,
    gradNormMax: 0,
    tokens: 0,
    kl: 0,
    entropy: 0,
    clipFraction: 0,
    perTask: {},
  };
  const live = rollouts.filter((r) => r.inLoss && r.responseIds.length > 0);
  for (const r of live) {
    stats.perTask[r.task] ??= {
      tokens: 0,
      weight: 0,
      klSum: 0,
      entropySum: 0,
      clippedTokens: 0,
      tokensSeen: 0,
    };
  }
  if (live.length === 0) return stats;
  let seen = 0;
  let klSum = 0;
  let entropySum = 0;
  let clipped = 0;
  const miniSize = opts.miniBatchSize ?? live.length;
  for (let epoch = 0; epoch < opts.ppoEpochs; epoch++) {
    const order = live.map((_, i) => i);
    if (miniSize < live.length) rng.shuffle(order);
    for (const mini of chunks(order, miniSize)) {
      const members = byLength(mini.map((i) => live[i]!));
      const weights = sequenceWeights(
        members.map((r) => r.responseIds.length),
        opts.aggregation,
        opts.normTokens,
      );
      if (epoch === 0) {
        members.forEach((r, k) => {
          const t = stats.perTask[r.task]!;
          t.tokens += r.responseIds.length;
          t.weight += weights[k]! * r.responseIds.length;
        });
        stats.tokens += members.reduce((a, r) => a + r.responseIds.length, 0);
      }
      model.zeroGrad();
      let loss = 0;
      let offset = 0;
      for (const micro of chunks(members, opts.microBatchSize)) {
        const batch = packSharedPrefix(micro);
        const { logprobs, entropy } = model.forward(batch.tokens, batch.targets, batch.B, batch.T, {
          layout: batch.layout,
        });
        const dlogp = new Float32Array(batch.B * batch.T);
        const dent = opts.loss.entropyCoef !== 0 ? new Float32Array(batch.B * batch.T) : undefined;
        micro.forEach((r, b) => {
          const { start, length } = batch.spans[b]!;
          const sums = sequenceLoss(
            {
              logp: logprobs.subarray(start, start + length),
              oldLogp: r.oldLogp,
              refLogp: r.refLogp,
              entropy: entropy.subarray(start, start + length),
              advantage: r.advantage,
            },
            weights[offset + b]!,
            opts.loss,
            dlogp.subarray(start, start + length),
            dent?.subarray(start, start + length),
          );
          loss += sums.loss;
          const t = stats.perTask[r.task]!;
          t.klSum += sums.klSum;
          t.entropySum += sums.entropySum;
          t.clippedTokens += sums.clippedTokens;
          t.tokensSeen += sums.tokens;
          seen += sums.tokens;
          klSum += sums.klSum;
          entropySum += sums.entropySum;
          clipped += sums.clippedTokens;
        });
        model.backward(dlogp, dent);
        offset += micro.length;
      }
      const norm = optimizer.update(opts.lr, opts.gradClip);
      stats.optimizerSteps++;
      stats.loss += loss;
      stats.gradNormMean += norm;
      stats.gradNormMax = Math.max(stats.gradNormMax, norm);
    }
  }
  model.zeroGrad();
  stats.loss /= stats.optimizerSteps;
  stats.gradNormMean /= stats.optimizerSteps;
  stats.kl = seen > 0 ? klSum / seen : 0;
  stats.entropy = seen > 0 ? entropySum / seen : 0;
  stats.clipFraction = seen > 0 ? clipped / seen : 0;
  return stats;
}
