// One step's metrics as a flat JSON object. Keys without a prefix are over the whole batch; keys
// "<task>/..." are the same figure for one task; "time/..." and "perf/..." are wall-clock figures
// (they differ between otherwise identical runs). docs/rl.md lists every key.
import { REWARD_STATUSES } from "../rewards/types.js";
import { mean } from "./advantages.js";
import type { Rollout } from "./rollout.js";
import type { UpdateStats } from "./update.js";

export interface StepTimes {
  sampling: number;
  reward: number;
  reference: number;
  update: number;
  total: number;
}

export interface StepInfo {
  step: number;
  lr: number;
  stage: { index: number; task: string } | null;
  /** Every scored rollout of the step (dropped groups included). */
  rollouts: readonly Rollout[];
  /** Group ids dropped by dynamic sampling. */
  droppedGroups: ReadonlySet<number>;
  genBatches: number;
  update: UpdateStats;
  times: StepTimes;
}

function std(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) * (x - m))));
}

/** Metrics of a set of rollouts that do not depend on the update (reward side). */
function rolloutMetrics(rs: readonly Rollout[], dropped: ReadonlySet<number>): Record<string, number> {
  const rewards = rs.map((r) => r.reward);
  const groups = new Set(rs.map((r) => r.group));
  const m: Record<string, number> = {
    prompts: groups.size,
    responses: rs.length,
    reward_mean: mean(rewards),
    reward_std: std(rewards),
    metric_mean: mean(rs.map((r) => r.metric)),
    response_len: mean(rs.map((r) => r.responseIds.length)),
    truncated_frac: mean(rs.map((r) => (r.finishReason === "length" ? 1 : 0))),
    filtered_frac: groups.size > 0 ? [...groups].filter((g) => dropped.has(g)).length / groups.size : 0,
  };
  // under rl.greedy_in_group: the greedy anchors' own pass rate, a free online greedy evaluation
  const greedy = rs.filter((r) => r.greedy);
  if (greedy.length > 0) m.greedy_metric_mean = mean(greedy.map((r) => r.metric));
  for (const s of REWARD_STATUSES) m[`status/${s}`] = rs.filter((r) => r.status === s).length;
  return m;
}

export function stepMetrics(info: StepInfo): Record<string, unknown> {
  const { update, times } = info;
  const out: Record<string, unknown> = { step: info.step, kind: "train" };
  if (info.stage) out.stage = info.stage;
  Object.assign(out, rolloutMetrics(info.rollouts, info.droppedGroups));
  Object.assign(out, {
    lr: info.lr,
    loss: update.loss,
    grad_norm: update.gradNormMean,
    grad_norm_max: update.gradNormMax,
    optimizer_steps: update.optimizerSteps,
    loss_tokens: update.tokens,
    kl: update.kl,
    entropy: update.entropy,
    clip_frac: update.clipFraction,
    gen_batches: info.genBatches,
  });
  const tasks = [...new Set(info.rollouts.map((r) => r.task))].sort();
  const totalWeight = Object.values(update.perTask).reduce((a, t) => a + t.weight, 0);
  for (const task of tasks) {
    const rm = rolloutMetrics(
      info.rollouts.filter((r) => r.task === task),
      info.droppedGroups,
    );
    for (const [k, v] of Object.entries(rm)) out[`${task}/${k}`] = v;
    const u = update.perTask[task];
    out[`${task}/loss_token_share`] = u && update.tokens > 0 ? u.tokens / update.tokens : 0;
    out[`${task}/loss_weight_share`] = u && totalWeight > 0 ? u.weight / totalWeight : 0;
    out[`${task}/kl`] = u && u.tokensSeen > 0 ? u.klSum / u.tokensSeen : 0;
    out[`${task}/entropy`] = u && u.tokensSeen > 0 ? u.entropySum / u.tokensSeen : 0;
    out[`${task}/clip_frac`] = u && u.tokensSeen > 0 ? u.clippedTokens / u.tokensSeen : 0;
  }
  const genTokens = info.rollouts.reduce((a, r) => a + r.responseIds.length, 0);
  out["time/sampling"] = times.sampling;
  out["time/reward"] = times.reward;
  out["time/reference"] = times.reference;
  out["time/update"] = times.update;
  out["time/step"] = times.total;
  out["perf/gen_tokens_per_s"] = times.sampling > 0 ? genTokens / times.sampling : 0;
  out["perf/tokens_per_s"] = times.total > 0 ? genTokens / times.total : 0;
  return out;
}

/** True for keys whose values are wall-clock measurements (excluded when comparing runs). */
export function isTimingKey(key: string): boolean {
  return key.startsWith("time/") || key.startsWith("perf/") || key.includes("/time/");
}

/** The progress bar's trailing text: reward per task, KL, entropy. */
export function progressText(m: Record<string, unknown>, tasks: readonly string[]): string {
  const parts = tasks
    .filter((t) => typeof m[`${t}/reward_mean`] === "number")
    .map((t) => `${t} ${(m[`${t}/reward_mean`] as number).toFixed(2)}`);
  const kl = typeof m.kl === "number" ? m.kl : 0;
  const ent = typeof m.entropy === "number" ? m.entropy : 0;
  return `${parts.join(" ")} | kl ${kl.toFixed(4)} ent ${ent.toFixed(2)}`;
}
