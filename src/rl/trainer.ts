// The GRPO trainer. One step:
//   1. draw prompts from the task sampler;
//   2. sample G responses each (one batched, KV-cached generate call);
//   3. score them all through the reward router (judge calls overlap with each other and with the
//      verifiers); shape (overlong penalty, format reward); with dynamic sampling, drop groups whose
//      raw metric is constant and refill up to max_gen_batches;
//   4. group-relative advantages;
//   5. reference log-probs (only when kl_coef > 0);
//   6. ppo_epochs x mini-batches of forward/backward + AdamW (warmup + cosine, grad clipping).
// Then metrics.jsonl / samples.jsonl, periodic evaluation, checkpoints.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { AdamW } from "../engine/adamw.js";
import { learningRateAt } from "../engine/lr-schedule.js";
import { Rng } from "../engine/rng.js";
import { evaluate } from "../eval/evaluate.js";
import { LocalGenerator } from "../eval/local-generator.js";
import { loadTaskInputs } from "../eval/run-eval.js";
import { listCheckpoints } from "../models/checkpoint.js";
import type { LlamaModel } from "../models/llama.js";
import { loadPretrained, type Pretrained } from "../models/pretrained.js";
import { formatMatches } from "../rewards/format-reward.js";
import { loadRewardRouter, type RewardRouter, rawMetric } from "../rewards/router.js";
import type { RewardSample } from "../rewards/types.js";
import { JointSampler } from "../schedule/joint-sampler.js";
import { SequentialSampler } from "../schedule/sequential-sampler.js";
import type { TaskSampler, TaskStepStats } from "../schedule/task-sampler.js";
import { readRows } from "../tasks/io.js";
import { type Row, rowKind } from "../tasks/schema.js";
import { Progress } from "../util/progress.js";
import { computeAdvantages, mean } from "./advantages.js";
import { type DifficultyRange, difficultyRangeFor, type TrainConfig } from "./config.js";
import { groupIsInformative } from "./dynamic-sampling.js";
import { overlongPenalty } from "./overlong.js";
import { type Rollout, sampleRollouts } from "./rollout.js";
import { RunFiles } from "./run-files.js";
import { progressText, type StepTimes, stepMetrics } from "./step-metrics.js";
import { restoreTrainerCheckpoint, saveTrainerCheckpoint } from "./train-state.js";
import { ppoUpdate, responseLogprobs } from "./update.js";

export interface TrainOptions {
  /** Continue runs/<name> from its newest good checkpoint (its config.yaml is the config). */
  resume?: boolean;
  /** A ready router (tests, benchmarks); default: loaded from config.rewards. */
  router?: RewardRouter;
  /** Status lines (checkpoint fallbacks, eval summaries). Default: console.error. */
  log?: (message: string) => void;
}

export interface TrainResult {
  runDir: string;
  /** Step reached. */
  step: number;
  totalSteps: number;
  /** Step the run started from (0, or the restored checkpoint's). */
  startStep: number;
  lastMetrics: Record<string, unknown> | null;
  checkpoint: string | null;
}

const now = () => performance.now() / 1000;

/** Paths of a config made absolute (against the working directory), so a resume works from anywhere. */
export function resolvePaths(cfg: TrainConfig): TrainConfig {
  return {
    ...cfg,
    out_dir: resolve(cfg.out_dir),
    model: resolve(cfg.model),
    rewards: resolve(cfg.rewards),
    data: { ...cfg.data, dir: resolve(cfg.data.dir) },
  };
}

export function runDirOf(cfg: TrainConfig): string {
  return join(cfg.out_dir, cfg.name);
}

/** Rows without a numeric extra_info.difficulty are dropped by any range. */
export function inDifficultyRange(row: Row, range: DifficultyRange): boolean {
  const d = row.extra_info.difficulty;
  if (typeof d !== "number") return false;
  return (range.min === null || d >= range.min) && (range.max === null || d <= range.max);
}

/** Keeps the first `cap` rows of each row kind (rows without a kind share one), in order. */
export function capRowsPerKind(rows: Row[], cap: number): Row[] {
  const seen = new Map<string, number>();
  return rows.filter((r) => {
    const kind = rowKind(r) ?? "";
    const n = seen.get(kind) ?? 0;
    seen.set(kind, n + 1);
    return n < cap;
  });
}

async function loadTrainRows(cfg: TrainConfig, router: RewardRouter): Promise<Record<string, Row[]>> {
  const data: Record<string, Row[]> = {};
  for (const task of cfg.tasks) {
    const base = join(cfg.data.dir, task, cfg.data.split);
    const file = [`${base}.jsonl`, `${base}.parquet`].find((f) => existsSync(f));
    if (!file)
      throw new Error(`no ${cfg.data.split} split for task "${task}": expected ${base}.jsonl or .parquet`);
    let rows = await readRows(file);
    const range = difficultyRangeFor(cfg, task);
    if (range) {
      rows = rows.filter((r) => inDifficultyRange(r, range));
      if (rows.length === 0)
        throw new Error(
          `data.difficulty ${JSON.stringify(range)}: no row of ${file} has extra_info.difficulty in range`,
        );
    }
    const perKind = cfg.data.max_rows_per_kind;
    const cap = typeof perKind === "number" ? perKind : perKind?.[task];
    if (cap !== undefined) rows = capRowsPerKind(rows, cap);
    if (cfg.data.max_rows !== null) rows = rows.slice(0, cfg.data.max_rows);
    for (const ds of new Set(rows.map((r) => r.data_source))) router.resolve(ds);
    data[task] = rows;
  }
  return data;
}

export function makeSampler(cfg: TrainConfig, data: Record<string, Row[]>): TaskSampler {
  if (cfg.schedule.type === "sequential") return new SequentialSampler(data, cfg.schedule.stages, cfg.seed);
  return new JointSampler(data, cfg.schedule.weights, cfg.seed);
}

/** The trainer's live objects. */
interface Ctx {
  cfg: TrainConfig;
  policy: Pretrained;
  reference: LlamaModel | null;
  router: RewardRouter;
  sampler: TaskSampler;
  optimizer: AdamW;
  rng: Rng;
  files: RunFiles;
  totalSteps: number;
  log: (message: string) => void;
}

export async function train(config: TrainConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const cfg = resolvePaths(config);
  const runDir = runDirOf(cfg);
  const files = new RunFiles(runDir);
  if (!opts.resume && (existsSync(files.metricsFile) || listCheckpoints(runDir).length > 0)) {
    throw new Error(`${runDir} already holds a run: resume it with --resume ${runDir}, or pick another name`);
  }
  files.init();
  files.writeConfig(cfg);

  const router = opts.router ?? loadRewardRouter(cfg.rewards);
  try {
    const policy = loadPretrained(cfg.model);
    let reference: LlamaModel | null = null;
    if (cfg.rl.kl_coef > 0) {
      reference = loadPretrained(cfg.model).model;
      reference.freeze(["*"]);
    }
    const data = await loadTrainRows(cfg, router);
    const sampler = makeSampler(cfg, data);
    const totalSteps = cfg.steps ?? sampler.plannedSteps(cfg.rl.prompts_per_step) ?? 0;
    const optimizer = new AdamW(policy.model.params, policy.model.backend, {
      beta1: cfg.optim.beta1,
      beta2: cfg.optim.beta2,
      weightDecay: cfg.optim.weight_decay,
    });
    const rng = new Rng(cfg.seed);
    const ctx: Ctx = { cfg, policy, reference, router, sampler, optimizer, rng, files, totalSteps, log };

    let step = 0;
    if (opts.resume) {
      const restored = restoreTrainerCheckpoint(
        runDir,
        { model: policy.model, optimizer, rng, sampler },
        log,
      );
      if (restored) {
        step = restored.step;
        log(`resumed ${runDir} from checkpoint step ${step} (${restored.dir})`);
        checkJudgeCache(restored.trainer.judge_cache, router.judgeCachePointers(), log);
      } else {
        log(`no usable checkpoint in ${runDir}: starting from step 0`);
      }
      files.truncateAfter(step);
    }
    const startStep = step;

    if (cfg.eval.at_start && step === 0) await runEvaluation(ctx, 0);
    const bar = cfg.progress ? new Progress({ label: "train", total: totalSteps }) : undefined;
    let last: Record<string, unknown> | null = null;
    let checkpoint: string | null = null;
    while (step < totalSteps && !sampler.done()) {
      step++;
      last = await trainStep(ctx, step);
      bar?.set(step, progressText(last, sampler.tasks));
      const isLast = step === totalSteps || sampler.done();
      if ((cfg.eval.every > 0 && step % cfg.eval.every === 0) || (isLast && cfg.eval.at_end)) {
        await runEvaluation(ctx, step);
      }
      if ((cfg.save_every > 0 && step % cfg.save_every === 0) || isLast) {
        checkpoint = saveTrainerCheckpoint({
          runDir,
          step,
          totalSteps,
          model: policy.model,
          optimizer,
          rng,
          sampler,
          judgeCache: router.judgeCachePointers(),
          keepLast: cfg.keep_checkpoints,
          tokenizerDir: cfg.model,
        });
      }
    }
    bar?.finish();
    return { runDir, step, totalSteps, startStep, lastMetrics: last, checkpoint };
  } finally {
    if (!opts.router) await router.close();
  }
}

function checkJudgeCache(
  saved: Record<string, number>,
  current: Record<string, number>,
  log: (m: string) => void,
): void {
  for (const [name, pointer] of Object.entries(saved ?? {})) {
    const have = current[name] ?? 0;
    if (have < pointer) {
      log(
        `judge cache of "${name}" holds ${have} entries, the checkpoint saw ${pointer}: the cache file was lost or cut, missing verdicts will be asked again`,
      );
    }
  }
}

/** One GRPO step; returns (and writes) its metrics. */
export async function trainStep(ctx: Ctx, step: number): Promise<Record<string, unknown>> {
  const { cfg, policy, sampler, router, rng } = ctx;
  const rl = cfg.rl;
  const t0 = now();
  const times: StepTimes = { sampling: 0, reward: 0, reference: 0, update: 0, total: 0 };
  const stage = sampler.currentStage();

  // 1-3. prompts -> rollouts -> rewards, refilled while dynamic sampling drops groups
  const all: Rollout[] = [];
  const dropped = new Set<number>();
  let keptGroups = 0;
  let genBatches = 0;
  let nextGroup = 0;
  const maxBatches = rl.dynamic_sampling ? rl.max_gen_batches : 1;
  while (keptGroups < rl.prompts_per_step && genBatches < maxBatches) {
    const prompts = sampler.next(rl.prompts_per_step - keptGroups);
    if (prompts.length === 0) break;
    genBatches++;
    let t = now();
    const rollouts = sampleRollouts(
      policy.model,
      policy.tokenizer,
      prompts,
      nextGroup,
      {
        groupSize: rl.group_size,
        maxNewTokens: rl.max_new_tokens,
        temperature: rl.temperature,
        topP: rl.top_p,
        topK: rl.top_k,
        stop: rl.stop,
        maxPromptTokens: rl.max_prompt_tokens,
        eosTokenIds: policy.eosTokenIds,
        greedyInGroup: rl.greedy_in_group,
      },
      rng,
    );
    nextGroup += prompts.length;
    times.sampling += now() - t;
    t = now();
    await scoreRollouts(router, rollouts, cfg);
    times.reward += now() - t;
    for (const [group, members] of groupsOf(rollouts)) {
      if (rl.dynamic_sampling && !groupIsInformative(members.map((r) => r.metric))) dropped.add(group);
      else keptGroups++;
    }
    all.push(...rollouts);
  }

  // 4. advantages on the kept groups; overlong masking
  const kept = all.filter((r) => !dropped.has(r.group));
  const adv = computeAdvantages(
    kept.map((r) => r.reward),
    kept.map((r) => r.group),
    rl.advantage,
    rl.adv_eps,
  );
  kept.forEach((r, i) => {
    r.advantage = adv[i]!;
    r.inLoss = !(rl.overlong.mode === "mask" && r.finishReason === "length");
  });
  const trainable = kept.filter((r) => r.inLoss && r.responseIds.length > 0);

  // 5. reference (and optionally recomputed behaviour) log-probs
  let t = now();
  if (ctx.reference) {
    const ref = responseLogprobs(ctx.reference, trainable, rl.micro_batch_size);
    trainable.forEach((r, i) => {
      r.refLogp = ref[i]!;
    });
  }
  if (rl.recompute_old_logprobs) {
    const old = responseLogprobs(policy.model, trainable, rl.micro_batch_size);
    trainable.forEach((r, i) => {
      r.oldLogp = old[i]!;
    });
  }
  times.reference = now() - t;

  // 6. policy update
  t = now();
  const lr = learningRateAt(step, {
    lr: cfg.optim.lr,
    warmupSteps: cfg.optim.warmup_steps,
    totalSteps: ctx.totalSteps,
    minLr: cfg.optim.lr * cfg.optim.min_lr_ratio,
  });
  const update = ppoUpdate(
    policy.model,
    ctx.optimizer,
    trainable,
    {
      loss: {
        clipLow: rl.clip_low,
        clipHigh: rl.clip_high,
        klCoef: rl.kl_coef,
        klEstimator: rl.kl_estimator,
        entropyCoef: rl.entropy_coef,
      },
      aggregation: rl.loss_agg,
      normTokens: rl.loss_norm_tokens ?? rl.max_new_tokens,
      ppoEpochs: rl.ppo_epochs,
      miniBatchSize: rl.mini_batch_size,
      microBatchSize: rl.micro_batch_size,
      lr,
      gradClip: cfg.optim.grad_clip,
    },
    rng,
  );
  times.update = now() - t;
  times.total = now() - t0;

  sampler.update({ step, tasks: taskStats(all) });
  const metrics = stepMetrics({
    step,
    lr,
    stage: stage ? { index: stage.index, task: stage.task } : null,
    rollouts: all,
    droppedGroups: dropped,
    genBatches,
    update,
    times,
  });
  for (const [name, s] of Object.entries(router.judgeStats())) {
    metrics[`judge/${name}/flip_rate`] = s.positionFlipRate;
    metrics[`judge/${name}/longer_wins_rate`] = s.longerWinsRate;
    metrics[`judge/${name}/cache_hit_rate`] = s.cacheHitRate;
    metrics[`judge/${name}/latency_p50_ms`] = s.latencyP50Ms;
  }
  ctx.files.appendMetrics(metrics);
  ctx.files.appendSamples(sampleRecords(step, all, dropped, cfg.log_samples));
  return metrics;
}

/** Scores rollouts in one router call (all tasks at once) and applies the trainer's reward shaping. */
export async function scoreRollouts(
  router: RewardRouter,
  rollouts: Rollout[],
  cfg: TrainConfig,
): Promise<void> {
  const samples: RewardSample[] = rollouts.map((r) => ({
    dataSource: r.row.data_source,
    prompt: r.row.prompt,
    response: r.text,
    groundTruth: r.row.reward_model.ground_truth,
    extraInfo: r.row.extra_info,
  }));
  const results = await router.scoreBatch(samples, { groupIds: rollouts.map((r) => r.group) });
  const rl = cfg.rl;
  rollouts.forEach((r, i) => {
    const res = results[i]!;
    r.taskScore = res.score;
    r.status = res.status;
    r.details = res.details;
    r.metric = rawMetric(res);
    let reward = res.score;
    if (rl.overlong.mode === "penalize") {
      reward += overlongPenalty(
        r.responseIds.length,
        rl.max_new_tokens,
        rl.overlong.buffer,
        rl.overlong.penalty,
      );
    }
    const fmt = rl.format_reward;
    if (fmt && (!fmt.tasks || fmt.tasks.includes(r.task))) {
      reward +=
        fmt.weight *
        (formatMatches(r.text, { pattern: fmt.pattern, weight: fmt.weight, mode: "add", fail_score: 0 })
          ? 1
          : 0);
    }
    r.reward = reward;
  });
}

function groupsOf(rollouts: readonly Rollout[]): Map<number, Rollout[]> {
  const m = new Map<number, Rollout[]>();
  for (const r of rollouts) {
    const list = m.get(r.group);
    if (list) list.push(r);
    else m.set(r.group, [r]);
  }
  return m;
}

function taskStats(rollouts: readonly Rollout[]): Record<string, TaskStepStats> {
  const out: Record<string, TaskStepStats> = {};
  for (const task of new Set(rollouts.map((r) => r.task))) {
    const rs = rollouts.filter((r) => r.task === task);
    out[task] = {
      prompts: new Set(rs.map((r) => r.group)).size,
      rewardMean: mean(rs.map((r) => r.reward)),
      metricMean: mean(rs.map((r) => r.metric)),
    };
  }
  return out;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Up to `n` rollouts for samples.jsonl: the first response of groups, taking tasks in turn. */
function sampleRecords(
  step: number,
  rollouts: readonly Rollout[],
  dropped: ReadonlySet<number>,
  n: number,
): Record<string, unknown>[] {
  if (n === 0) return [];
  const firstOfGroup = [...groupsOf(rollouts).values()].map((g) => g[0]!);
  const byTask = new Map<string, Rollout[]>();
  for (const r of firstOfGroup) {
    const list = byTask.get(r.task);
    if (list) list.push(r);
    else byTask.set(r.task, [r]);
  }
  const picked: Rollout[] = [];
  const queues = [...byTask.values()];
  for (let round = 0; picked.length < n && queues.some((q) => q.length > round); round++) {
    for (const q of queues) if (q[round] && picked.length < n) picked.push(q[round]!);
  }
  return picked.map((r) => {
    const details = JSON.stringify(r.details);
    return {
      step,
      task: r.task,
      group: r.group,
      row_index: r.rowIndex,
      prompt: clip(r.row.prompt.at(-1)?.content ?? "", 600),
      response: clip(r.text, 2000),
      reward: r.reward,
      task_score: r.taskScore,
      metric: r.metric,
      status: r.status,
      advantage: r.advantage,
      response_tokens: r.responseIds.length,
      finish_reason: r.finishReason,
      greedy: r.greedy,
      dropped: dropped.has(r.group),
      details: details.length > 1500 ? clip(details, 1500) : r.details,
    };
  });
}

/** Evaluates the current policy on held-out rows; writes eval/step-N.json and an eval line in metrics. */
async function runEvaluation(ctx: Ctx, step: number): Promise<void> {
  const { cfg, policy, router } = ctx;
  const inputs = await loadTaskInputs(
    { tasks: cfg.tasks, data: cfg.data.dir, split: cfg.eval.split, limit: cfg.eval.limit },
    router,
  );
  const generator = new LocalGenerator(
    { ...policy, dir: `${runDirOf(cfg)}@step-${step}` },
    { batchSize: cfg.eval.batch_size, maxPromptTokens: cfg.rl.max_prompt_tokens },
  );
  const result = await evaluate(generator, router, inputs, {
    n: 1,
    temperature: cfg.eval.temperature,
    topP: 1,
    maxTokens: cfg.eval.max_new_tokens ?? cfg.rl.max_new_tokens,
    seed: cfg.seed,
  });
  const file = ctx.files.writeEval(step, result);
  const line: Record<string, unknown> = {
    step,
    kind: "eval",
    "eval/mean_normalized": result.meanNormalizedScore,
  };
  for (const t of result.tasks) {
    line[`eval/${t.task}/accuracy`] = t.accuracy;
    line[`eval/${t.task}/normalized`] = t.normalizedScore;
    line[`eval/${t.task}/mean_score`] = t.meanScore;
  }
  line["time/eval"] = result.wallSeconds;
  ctx.files.appendMetrics(line);
  ctx.log(
    `eval step ${step}: mean normalized ${result.meanNormalizedScore.toFixed(3)} (${result.tasks
      .map((t) => `${t.task} ${t.accuracy.toFixed(3)}`)
      .join(", ")}) -> ${file}`,
  );
}
