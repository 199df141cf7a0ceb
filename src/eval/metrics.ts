// Per-task evaluation metrics, as pure functions over scored samples.
import type { RewardResult } from "../rewards/types.js";

export { rawMetric } from "../rewards/router.js";

/** Status of one evaluated sample: a reward status, or the generation itself failed. */
export type EvalStatus = RewardResult["status"] | "generation_error";

export interface ScoredSample {
  /** Index of the prompt this sample answers (samples of one prompt share it). */
  promptIndex: number;
  status: EvalStatus;
  score: number;
  /** The raw task metric in [0,1]: 1 = correct / pass / judge win, 0.5 = judge tie. */
  metric: number;
  responseChars: number;
  responseTokens?: number;
  /** Mean per-token entropy of the policy while generating (local models only). */
  meanEntropy?: number;
  /** The row's extra_info.difficulty, when it is a number. */
  difficulty?: number;
  /** The row's kind within its task: extra_info.family (math, code), qtype (qa) or wtype (writing). */
  kind?: string;
}

export interface TaskMetrics {
  task: string;
  prompts: number;
  samplesPerPrompt: number;
  /** Mean raw metric over all samples: accuracy / pass@1 (writing: win=1, tie=0.5, loss=0). */
  accuracy: number;
  /** Unbiased pass@k (Chen et al. 2021) for each k <= samplesPerPrompt that is reported. */
  passAtK: Record<string, number>;
  /** The normalized score in [0,1] used by BWT and the schedule comparison (= accuracy). */
  normalizedScore: number;
  meanScore: number;
  statusCounts: Record<string, number>;
  /** Pairwise-judge outcome rates against the reference (only for judged tasks). */
  judge?: { win: number; tie: number; loss: number };
  meanResponseChars: number;
  meanResponseTokens?: number;
  meanEntropy?: number;
  /** Accuracy per extra_info.difficulty level (rows that have one), e.g. the math task's step count. */
  byDifficulty?: Record<string, { prompts: number; accuracy: number }>;
  /** Accuracy per row kind (ScoredSample.kind), most prompts first: where a task is solved and where not. */
  byKind?: Record<string, { prompts: number; accuracy: number }>;
}

/** Unbiased pass@k from n samples with c correct: 1 - C(n-c, k) / C(n, k), computed stably. */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new Error(`pass@${k} needs at least ${k} samples, got ${n}`);
  if (n - c < k) return 1;
  let prodFail = 1;
  for (let i = n - c + 1; i <= n; i++) prodFail *= 1 - k / i;
  return 1 - prodFail;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The k values reported for `samples` per prompt: 1, then powers of two, then `samples` itself. */
export function reportedKs(samples: number): number[] {
  const ks = new Set<number>([1]);
  for (let k = 2; k < samples; k *= 2) ks.add(k);
  ks.add(samples);
  return [...ks].sort((a, b) => a - b);
}

export function computeTaskMetrics(task: string, samples: ScoredSample[], judged: boolean): TaskMetrics {
  const byPrompt = new Map<number, ScoredSample[]>();
  for (const s of samples) {
    const list = byPrompt.get(s.promptIndex) ?? [];
    list.push(s);
    byPrompt.set(s.promptIndex, list);
  }
  const perPrompt = [...byPrompt.values()];
  const k = perPrompt.length > 0 ? Math.min(...perPrompt.map((p) => p.length)) : 0;

  const passAt: Record<string, number> = {};
  if (k > 0) {
    for (const kk of reportedKs(k)) {
      // A sample counts as correct for pass@k when its metric is a full pass (judge ties do not).
      passAt[`pass@${kk}`] = mean(
        perPrompt.map((p) => passAtK(p.length, p.filter((s) => s.metric >= 1).length, kk)),
      );
    }
  }

  const statusCounts: Record<string, number> = {};
  for (const s of samples) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;

  const accuracy = mean(samples.map((s) => s.metric));
  const metrics: TaskMetrics = {
    task,
    prompts: perPrompt.length,
    samplesPerPrompt: k,
    accuracy,
    passAtK: passAt,
    normalizedScore: accuracy,
    meanScore: mean(samples.map((s) => s.score)),
    statusCounts,
    meanResponseChars: mean(samples.map((s) => s.responseChars)),
  };
  if (judged) {
    const ok = samples.filter((s) => s.status === "ok");
    const n = samples.length || 1;
    metrics.judge = {
      win: ok.filter((s) => s.metric >= 1).length / n,
      tie: ok.filter((s) => s.metric > 0 && s.metric < 1).length / n,
      loss: ok.filter((s) => s.metric <= 0).length / n,
    };
  }
  const tokens = samples.map((s) => s.responseTokens).filter((t): t is number => t !== undefined);
  if (tokens.length > 0) metrics.meanResponseTokens = mean(tokens);
  const ent = samples.map((s) => s.meanEntropy).filter((e): e is number => e !== undefined);
  if (ent.length > 0) metrics.meanEntropy = mean(ent);
  const byDifficulty = accuracyBy(samples, (s) => s.difficulty);
  if (byDifficulty.length > 0)
    metrics.byDifficulty = Object.fromEntries(
      byDifficulty.sort(([a], [b]) => a - b).map(([d, v]) => [String(d), v]),
    );
  const byKind = accuracyBy(samples, (s) => s.kind);
  if (byKind.length > 0)
    metrics.byKind = Object.fromEntries(byKind.sort(([, a], [, b]) => b.prompts - a.prompts));
  return metrics;
}

/** Prompts and mean raw metric per value of key(sample), for the samples that have one. */
function accuracyBy<K extends number | string>(
  samples: ScoredSample[],
  key: (s: ScoredSample) => K | undefined,
): [K, { prompts: number; accuracy: number }][] {
  const groups = new Map<K, ScoredSample[]>();
  for (const s of samples) {
    const k = key(s);
    if (k === undefined) continue;
    const list = groups.get(k) ?? [];
    list.push(s);
    groups.set(k, list);
  }
  return [...groups.entries()].map(([k, list]) => [
    k,
    { prompts: new Set(list.map((s) => s.promptIndex)).size, accuracy: mean(list.map((s) => s.metric)) },
  ]);
}

/** Mean of the tasks' normalized scores: the single number arms are compared by. */
export function meanNormalizedScore(tasks: TaskMetrics[]): number {
  return mean(tasks.map((t) => t.normalizedScore));
}
