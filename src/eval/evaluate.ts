// The evaluation harness: held-out rows -> responses (local engine or endpoint) -> reward router ->
// per-task metrics. Pure orchestration; generation and scoring are injected.

import { rawMetric } from "../rewards/router.js";
import type { ChatMessage, RewardResult, RewardSample } from "../rewards/types.js";
import { type Row, rowKind } from "../tasks/schema.js";
import { Progress } from "../util/progress.js";
import type { Generation, GenerationOptions, Generator } from "./generator.js";
import { computeTaskMetrics, meanNormalizedScore, type ScoredSample, type TaskMetrics } from "./metrics.js";

/** What scores responses: the reward router (or any Reward). */
export interface Scorer {
  scoreBatch(samples: RewardSample[], opts?: { groupIds?: number[] }): Promise<RewardResult[]>;
}

export interface EvalTaskInput {
  task: string;
  rows: Row[];
  /** Rewards judged pairwise report win/tie/loss rates. */
  judged: boolean;
}

export interface EvalOptions extends GenerationOptions {
  /** Keep per-sample records (response, reward) in the result. */
  keepSamples?: boolean;
  /** Draw a progress bar on stderr. */
  progress?: boolean;
}

export interface SampleRecord {
  task: string;
  index: number;
  response: string;
  status: string;
  score: number;
  metric: number;
  details: Record<string, unknown>;
  error?: string;
}

export interface EvalResult {
  model: string;
  generation: GenerationOptions;
  tasks: TaskMetrics[];
  meanNormalizedScore: number;
  wallSeconds: number;
  samples?: SampleRecord[];
}

export async function evaluate(
  generator: Generator,
  scorer: Scorer,
  inputs: EvalTaskInput[],
  opts: EvalOptions,
): Promise<EvalResult> {
  const started = Date.now();
  const tasks: TaskMetrics[] = [];
  const records: SampleRecord[] = [];
  const totalPrompts = inputs.reduce((a, t) => a + t.rows.length, 0);
  const bar = opts.progress ? new Progress({ label: "eval", total: totalPrompts }) : undefined;
  let finishedBefore = 0;

  for (const input of inputs) {
    const prompts: ChatMessage[][] = input.rows.map((r) => r.prompt);
    const generations = await generator.generate(prompts, opts, (done) =>
      bar?.set(finishedBefore + done, `${input.task}: generating`),
    );
    finishedBefore += input.rows.length;
    bar?.set(finishedBefore, `${input.task}: scoring`);

    const flat: { promptIndex: number; gen: Generation }[] = [];
    generations.forEach((gens, promptIndex) => {
      for (const gen of gens) flat.push({ promptIndex, gen });
    });
    const toScore = flat.filter((f) => f.gen.error === undefined);
    const results = await scorer.scoreBatch(
      toScore.map(({ promptIndex, gen }) => sampleFor(input.rows[promptIndex]!, gen.text)),
      { groupIds: toScore.map((f) => f.promptIndex) },
    );
    const resultOf = new Map(toScore.map((f, i) => [f, results[i]!]));

    const scored: ScoredSample[] = flat.map((f) => {
      const r = resultOf.get(f);
      const s: ScoredSample = {
        promptIndex: f.promptIndex,
        status: r ? r.status : "generation_error",
        score: r ? r.score : 0,
        metric: r ? rawMetric(r) : 0,
        responseChars: f.gen.text.length,
      };
      if (f.gen.tokens !== undefined) s.responseTokens = f.gen.tokens;
      if (f.gen.meanEntropy !== undefined) s.meanEntropy = f.gen.meanEntropy;
      const extra = input.rows[f.promptIndex]!.extra_info;
      if (typeof extra.difficulty === "number") s.difficulty = extra.difficulty;
      const kind = rowKind(input.rows[f.promptIndex]!);
      if (kind !== undefined) s.kind = kind;
      if (opts.keepSamples) {
        records.push({
          task: input.task,
          index: f.promptIndex,
          response: f.gen.text,
          status: s.status,
          score: s.score,
          metric: s.metric,
          details: r?.details ?? {},
          ...(f.gen.error !== undefined ? { error: f.gen.error } : {}),
        });
      }
      return s;
    });
    tasks.push(computeTaskMetrics(input.task, scored, input.judged));
  }
  bar?.finish("done");

  const { n, temperature, topP, maxTokens, seed, stop } = opts;
  const result: EvalResult = {
    model: generator.description,
    generation: { n, temperature, topP, maxTokens, seed, ...(stop ? { stop } : {}) },
    tasks,
    meanNormalizedScore: meanNormalizedScore(tasks),
    wallSeconds: (Date.now() - started) / 1000,
  };
  if (opts.keepSamples) result.samples = records;
  return result;
}

export function sampleFor(row: Row, response: string): RewardSample {
  return {
    dataSource: row.data_source,
    prompt: row.prompt,
    response,
    groundTruth: row.reward_model.ground_truth,
    extraInfo: row.extra_info,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The markdown table printed after an evaluation. */
export function formatEvalTable(result: EvalResult): string {
  const ks = [...new Set(result.tasks.flatMap((t) => Object.keys(t.passAtK)))].filter((k) => k !== "pass@1");
  const header = [
    "task",
    "n",
    "acc / pass@1",
    ...ks,
    "normalized",
    "win/tie/loss",
    "statuses",
    "mean len",
    "entropy",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const t of result.tasks) {
    const statuses = Object.entries(t.statusCounts)
      .map(([s, c]) => `${s}:${c}`)
      .join(" ");
    lines.push(
      `| ${[
        t.task,
        String(t.prompts * t.samplesPerPrompt),
        pct(t.accuracy),
        ...ks.map((k) => (t.passAtK[k] !== undefined ? pct(t.passAtK[k]!) : "-")),
        t.normalizedScore.toFixed(3),
        t.judge ? `${pct(t.judge.win)}/${pct(t.judge.tie)}/${pct(t.judge.loss)}` : "-",
        statuses,
        t.meanResponseTokens !== undefined
          ? `${t.meanResponseTokens.toFixed(1)} tok`
          : `${t.meanResponseChars.toFixed(0)} ch`,
        t.meanEntropy !== undefined ? t.meanEntropy.toFixed(3) : "-",
      ].join(" | ")} |`,
    );
  }
  lines.push("", `mean normalized score: ${result.meanNormalizedScore.toFixed(3)} (${result.model})`);
  // one line per breakdown with at least two groups, e.g. "math by difficulty: 1: 50.0% of 2, ..."
  for (const [what, pick, sep] of [
    ["difficulty", (t: TaskMetrics) => t.byDifficulty, ": "],
    ["kind", (t: TaskMetrics) => t.byKind, " "],
  ] as const) {
    for (const t of result.tasks) {
      const groups = pick(t);
      if (!groups || Object.keys(groups).length < 2) continue;
      const parts = Object.entries(groups).map(([g, v]) => `${g}${sep}${pct(v.accuracy)} of ${v.prompts}`);
      lines.push(`${t.task} by ${what}: ${parts.join(", ")}`);
    }
  }
  return lines.join("\n");
}
