// The GRPO policy loss of one token and its analytic gradient with respect to the token's log-prob,
// which is exactly what LlamaModel.backward consumes (dL/dlogprob per position):
//
//   ratio = exp(logp - old)
//   pg    = max(-A * ratio, -A * clip(ratio, 1 - clip_low, 1 + clip_high))        PPO-clip
//   l     = pg + kl_coef * kl(logp, ref) - entropy_coef * H                       (per token)
//
//   d pg / d logp = -A * ratio  where the unclipped term is the max (ties included), else 0
//   d kl / d logp = see kl.ts;   d l / d H = -entropy_coef
//
// A batch's loss is the aggregation (aggregation.ts) of the per-token losses.
import { type LossAggregation, sequenceWeights } from "./aggregation.js";
import { type KlEstimator, klGrad, klValue } from "./kl.js";

export interface PolicyLossConfig {
  clipLow: number;
  clipHigh: number;
  /** 0 = no KL term (and no reference log-probs needed). */
  klCoef: number;
  klEstimator: KlEstimator;
  /** Entropy bonus (0 = off). */
  entropyCoef: number;
}

export interface TokenLoss {
  /** Total per-token loss l. */
  loss: number;
  /** dl / dlogp. */
  dlogp: number;
  pg: number;
  kl: number;
  ratio: number;
  /** True where the clipped term was selected (the token gives no policy gradient). */
  clipped: boolean;
}

/** PPO-clip term of one token: value, gradient and whether the clip was active. */
export function ppoClipToken(
  logp: number,
  oldLogp: number,
  advantage: number,
  clipLow: number,
  clipHigh: number,
): { pg: number; dpg: number; ratio: number; clipped: boolean } {
  const ratio = Math.exp(Math.max(-20, Math.min(20, logp - oldLogp)));
  const unclipped = -advantage * ratio;
  const clippedRatio = Math.min(1 + clipHigh, Math.max(1 - clipLow, ratio));
  const clippedLoss = -advantage * clippedRatio;
  if (clippedLoss > unclipped) return { pg: clippedLoss, dpg: 0, ratio, clipped: true };
  return { pg: unclipped, dpg: -advantage * ratio, ratio, clipped: false };
}

/** The whole per-token loss (without the entropy term, which depends on H, not logp). */
export function tokenLoss(
  logp: number,
  oldLogp: number,
  refLogp: number | undefined,
  advantage: number,
  cfg: PolicyLossConfig,
): TokenLoss {
  const { pg, dpg, ratio, clipped } = ppoClipToken(logp, oldLogp, advantage, cfg.clipLow, cfg.clipHigh);
  let kl = 0;
  let dkl = 0;
  if (cfg.klCoef !== 0) {
    if (refLogp === undefined) throw new Error("policy loss: kl_coef != 0 needs reference log-probs");
    kl = klValue(logp, refLogp, cfg.klEstimator);
    dkl = klGrad(logp, refLogp, cfg.klEstimator);
  }
  return { loss: pg + cfg.klCoef * kl, dlogp: dpg + cfg.klCoef * dkl, pg, kl, ratio, clipped };
}

/** One response's loss inputs: per response token. */
export interface SequenceLossInput {
  logp: ArrayLike<number>;
  oldLogp: ArrayLike<number>;
  refLogp?: ArrayLike<number>;
  /** Entropy of the predictive distribution at each response token (for the entropy bonus and stats). */
  entropy?: ArrayLike<number>;
  advantage: number;
}

export interface SequenceLossSums {
  /** Weighted loss contribution: sum_t w * l_t (entropy bonus included). */
  loss: number;
  /** Unweighted sums over the sequence's tokens, for statistics. */
  pgSum: number;
  klSum: number;
  entropySum: number;
  clippedTokens: number;
  tokens: number;
}

/**
 * Adds one sequence's weighted loss; writes w * dl/dlogp into dlogp[t] and w * dl/dH into dentropy[t]
 * (when given) for its tokens t = 0..n-1.
 */
export function sequenceLoss(
  seq: SequenceLossInput,
  weight: number,
  cfg: PolicyLossConfig,
  dlogp: { [i: number]: number },
  dentropy?: { [i: number]: number },
): SequenceLossSums {
  const n = seq.logp.length;
  const sums: SequenceLossSums = { loss: 0, pgSum: 0, klSum: 0, entropySum: 0, clippedTokens: 0, tokens: n };
  for (let t = 0; t < n; t++) {
    const tl = tokenLoss(seq.logp[t]!, seq.oldLogp[t]!, seq.refLogp?.[t], seq.advantage, cfg);
    const h = seq.entropy ? seq.entropy[t]! : 0;
    sums.loss += weight * (tl.loss - cfg.entropyCoef * h);
    sums.pgSum += tl.pg;
    sums.klSum += tl.kl;
    sums.entropySum += h;
    if (tl.clipped) sums.clippedTokens++;
    dlogp[t] = weight * tl.dlogp;
    if (dentropy) dentropy[t] = -weight * cfg.entropyCoef;
  }
  return sums;
}

/** The aggregated loss of a batch and its gradient per sequence and token (pure; used by tests). */
export function batchPolicyLoss(
  seqs: readonly SequenceLossInput[],
  cfg: PolicyLossConfig,
  aggregation: LossAggregation,
  norm = 1,
): { loss: number; dlogp: number[][]; dentropy: number[][]; clipFraction: number; meanKl: number } {
  const w = sequenceWeights(
    seqs.map((s) => s.logp.length),
    aggregation,
    norm,
  );
  let loss = 0;
  let clipped = 0;
  let tokens = 0;
  let kl = 0;
  const dlogp: number[][] = [];
  const dentropy: number[][] = [];
  seqs.forEach((s, i) => {
    const g: number[] = new Array(s.logp.length).fill(0);
    const ge: number[] = new Array(s.logp.length).fill(0);
    const sums = sequenceLoss(s, w[i]!, cfg, g, ge);
    loss += sums.loss;
    clipped += sums.clippedTokens;
    tokens += sums.tokens;
    kl += sums.klSum;
    dlogp.push(g);
    dentropy.push(ge);
  });
  return {
    loss,
    dlogp,
    dentropy,
    clipFraction: tokens > 0 ? clipped / tokens : 0,
    meanKl: tokens > 0 ? kl / tokens : 0,
  };
}
