// The Omni-Thinker comparison. Every arm starts from the same base model, sees the same training rows
// and (for the RL arms) spends the same number of RL steps:
//
//   base                   no training
//   sft                    SFT on the RL training rows' references
//   joint                  GRPO with every task mixed in every batch, K x steps_per_task steps
//   merge_<name>           the K single-task experts (steps_per_task each) merged (TIES, task arithmetic)
//   curriculum_best        one task per stage in the order the BWT matrix predicts best
//   curriculum_worst       ... in the predicted worst order (the control)
//   curriculum_heuristic   ... in the paper's order (structured first, open-ended last)
//
// Each arm is evaluated on every task's held-out rows. The RL arms are repeated for seeds 0..N-1. The
// results go to experiment.json, report.md and report.html. Everything resumes: runs and evaluations are
// cached by the workspace, and a finished arm (arms/<arm>.s<seed>.json) is skipped on a re-run.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../engine/rng.js";
import { parseMergePlan } from "../merge/config.js";
import { runMerge } from "../merge/run-merge.js";
import type { BwtFile } from "../schedule/bwt.js";
import { heuristicOrder, predictOrder, rankOrders } from "../schedule/order-predictor.js";
import { formatDuration } from "../util/progress.js";
import { type BwtRunResult, formatBwt, runBwt } from "./bwt-runner.js";
import { type ExperimentConfig, mergeArms, resolveExperimentPaths } from "./config.js";
import {
  type CurriculumResult,
  ensurePrefixRuns,
  jointSpec,
  runCurriculum,
  stageSteps,
} from "./curriculum.js";
import { writeJson, writeText } from "./files.js";
import { renderReportMarkdown } from "./report.js";
import { renderReportHtml } from "./report-html.js";
import { sftOnReferences } from "./sft.js";
import {
  compare,
  type Difference,
  mean,
  meanAbsoluteError,
  type Summary,
  sampleStd,
  spearman,
} from "./stats.js";
import { fingerprint, meanScore, type Scores, Workspace, type WorkspaceCounters } from "./workspace.js";

export type ArmKind = "base" | "sft" | "joint" | "merge" | "curriculum";

export interface ArmSeedResult {
  seed: number;
  scores: Scores;
  mean: number;
  /** Evaluation standard error of `mean`. */
  stderr: number;
  /** Where the evaluated model lives. */
  model: string;
  /** RL steps spent (merges: the experts' total; base and SFT: 0). */
  rlSteps: number;
  seconds: number;
  detail?: Record<string, unknown>;
}

export interface ArmResult {
  arm: string;
  kind: ArmKind;
  /** The stage order (curriculum arms). */
  order?: string[];
  seeds: ArmSeedResult[];
  /** Per task: mean and sample std over seeds. */
  perTask: Record<string, { mean: number; std: number }>;
  summary: Summary;
}

export interface OrderInfo {
  /** best | worst | heuristic | median | random-N */
  role: string;
  order: string[];
  predicted: { perTask: Record<string, number>; mean: number; meanStderr?: number };
}

export interface PredictionQuality {
  /** Every curriculum order that was trained, with its predicted and measured (mean over seeds) scores. */
  orders: {
    order: string[];
    roles: string[];
    predicted: number;
    actual: number;
    actualPerTask: Record<string, number>;
  }[];
  /** Over orders: predicted mean vs measured mean. */
  spearmanOrders: number | null;
  maeOrders: number;
  /** Over (order, task) cells: predicted final task score vs measured. */
  spearmanCells: number | null;
  maeCells: number;
}

export interface ComparisonLine {
  a: string;
  b: string;
  diff: Difference;
}

export interface ExperimentResult {
  name: string;
  preset: string | null;
  tasks: string[];
  seeds: number;
  budget: { stage: "steps" | "pass"; stepsPerTask: Record<string, number>; rlStepsPerArm: number };
  bwt: BwtFile | null;
  bwtPerSeed: BwtRunResult["perSeed"];
  orders: OrderInfo[];
  arms: ArmResult[];
  curricula: CurriculumResult[];
  prediction: PredictionQuality | null;
  comparisons: ComparisonLine[];
  /** Work done by this invocation (zero training on a fully cached re-run). */
  counters: WorkspaceCounters;
  armsSkipped: string[];
  armsRun: string[];
  wallSeconds: number;
  finishedAt: string;
  files: { experiment: string; reportMd: string; reportHtml: string; bwt: string | null };
}

export interface ExperimentOptions {
  log?: (line: string) => void;
}

/** Fields that change what an arm measures (not which seeds or arms are run, nor the display). */
function armFingerprint(cfg: ExperimentConfig, extra: unknown): string {
  const {
    progress: _p,
    presets: _ps,
    preset: _pr,
    arms: _a,
    seeds: _s,
    bwt: _b,
    prediction: _pd,
    name: _n,
    ...rest
  } = cfg;
  return fingerprint({ rest, extra });
}

function summarize(
  arm: string,
  kind: ArmKind,
  seeds: ArmSeedResult[],
  tasks: string[],
  order?: string[],
): ArmResult {
  const perTask: ArmResult["perTask"] = {};
  for (const t of tasks) {
    const xs = seeds.map((s) => s.scores[t]!.normalized);
    perTask[t] = { mean: mean(xs), std: sampleStd(xs) };
  }
  const means = seeds.map((s) => s.mean);
  const summary: Summary =
    seeds.length >= 2
      ? { mean: mean(means), spread: sampleStd(means), spreadKind: "seeds", n: seeds.length }
      : { mean: means[0]!, spread: seeds[0]!.stderr, spreadKind: "eval_stderr", n: 1 };
  return { arm, kind, ...(order ? { order } : {}), seeds, perTask, summary };
}

export async function runExperiment(
  config: ExperimentConfig,
  opts: ExperimentOptions = {},
): Promise<ExperimentResult> {
  const cfg = resolveExperimentPaths(config);
  const log = opts.log ?? ((l: string) => console.error(l));
  const started = performance.now();
  const ws = new Workspace(cfg, log);
  try {
    return await run(cfg, ws, log, started);
  } finally {
    await ws.close();
  }
}

async function run(
  cfg: ExperimentConfig,
  ws: Workspace,
  log: (l: string) => void,
  started: number,
): Promise<ExperimentResult> {
  const { tasks } = cfg;
  const k = tasks.length;
  const seeds = Array.from({ length: cfg.seeds }, (_, i) => i);
  const curriculumArms = cfg.arms.filter((a) => a.startsWith("curriculum_"));
  const merges = mergeArms(cfg);
  const stepsPerTask: Record<string, number> = {};
  for (const t of tasks) stepsPerTask[t] = await stageSteps(ws, t);
  const rlStepsPerArm = Object.values(stepsPerTask).reduce((a, b) => a + b, 0);
  log(
    `experiment ${cfg.name}${cfg.preset ? ` (preset ${cfg.preset})` : ""}: ${k} tasks (${tasks.join(", ")}), ` +
      `arms ${cfg.arms.join(", ")}, ${cfg.seeds} seed(s), ${rlStepsPerArm} RL steps per RL arm, out ${cfg.out_dir}`,
  );

  // ---- 1. BWT (the orders need it; the merge arms reuse its single-task experts) ----
  let bwtResult: BwtRunResult | null = null;
  const orders: OrderInfo[] = [];
  if (curriculumArms.length > 0) {
    log(`[bwt] ${cfg.bwt.mode} BWT matrix`);
    bwtResult = await runBwt(ws, {});
    log(formatBwt(bwtResult.bwt).replace(/^/gm, "  "));
    log(`  -> ${bwtResult.file}`);
    const bwt = bwtResult.bwt;
    const ranked = rankOrders(bwt);
    const info = (role: string, order: string[]): OrderInfo => {
      const p = predictOrder(bwt, order);
      return {
        role,
        order,
        predicted: {
          perTask: Object.fromEntries(tasks.map((t, i) => [t, p.perTask[i]!])),
          mean: p.mean,
          ...(p.meanStderr !== undefined ? { meanStderr: p.meanStderr } : {}),
        },
      };
    };
    orders.push(info("best", ranked.best.names), info("worst", ranked.worst.names));
    orders.push(info("heuristic", heuristicOrder(tasks, { openEnded: cfg.open_ended })));
    if (cfg.prediction.median_order) orders.push(info("median", ranked.median.names));
    const rng = new Rng(0x6f726465);
    const seen = new Set(orders.map((o) => o.order.join(">")));
    for (let r = 0, tries = 0; r < cfg.prediction.random_orders && tries < 1000; tries++) {
      const o = rng.shuffle([...tasks]);
      if (seen.has(o.join(">"))) continue;
      seen.add(o.join(">"));
      orders.push(info(`random-${++r}`, o));
    }
    for (const o of orders) {
      log(`  ${o.role.padEnd(9)} ${o.order.join(" -> ")}  predicted mean ${o.predicted.mean.toFixed(4)}`);
    }
  }
  const orderOf = (role: string) => orders.find((o) => o.role === role)!.order;

  // ---- 2. the arms ----
  type Job = { arm: string; seed: number; kind: ArmKind; order?: string[] };
  const jobs: Job[] = [];
  for (const arm of cfg.arms) {
    if (arm === "base" || arm === "sft") jobs.push({ arm, seed: 0, kind: arm });
  }
  for (const seed of seeds) {
    for (const arm of cfg.arms) {
      if (arm === "joint") jobs.push({ arm, seed, kind: "joint" });
      else if (arm.startsWith("merge_")) jobs.push({ arm, seed, kind: "merge" });
      else if (arm.startsWith("curriculum_"))
        jobs.push({ arm, seed, kind: "curriculum", order: orderOf(arm.slice("curriculum_".length)) });
    }
    // Orders trained only to score the prediction.
    for (const o of orders.filter((o) => o.role === "median" || o.role.startsWith("random-"))) {
      jobs.push({ arm: `order_${o.role}`, seed, kind: "curriculum", order: o.order });
    }
  }

  const S = rlStepsPerArm / k;
  const estimate = (j: Job) => {
    if (j.kind === "joint") return { steps: rlStepsPerArm, evals: k, sft: 0 };
    if (j.kind === "curriculum") return { steps: (k - 1) * S, evals: (k - 1) * k, sft: 0 };
    if (j.kind === "sft") return { steps: 0, evals: k, sft: cfg.sft.steps };
    return { steps: 0, evals: k, sft: 0 };
  };
  const c = ws.counters;
  const eta = (remaining: Job[]) => {
    const perStep = c.stepsTrained > 0 ? c.trainSeconds / c.stepsTrained : null;
    const perEval = c.taskEvalsComputed > 0 ? c.evalSeconds / c.taskEvalsComputed : null;
    const perSft = c.sftSteps > 0 ? c.sftSeconds / c.sftSteps : null;
    let total = 0;
    for (const j of remaining) {
      const e = estimate(j);
      if (
        (e.steps > 0 && perStep === null) ||
        (e.evals > 0 && perEval === null) ||
        (e.sft > 0 && perSft === null)
      )
        return "?";
      total += e.steps * (perStep ?? 0) + e.evals * (perEval ?? 0) + e.sft * (perSft ?? 0);
    }
    return `~${formatDuration(total)}`;
  };

  const results = new Map<string, ArmSeedResult[]>();
  const curricula: CurriculumResult[] = [];
  const armsSkipped: string[] = [];
  const armsRun: string[] = [];
  for (const [index, job] of jobs.entries()) {
    const label = `${job.arm} s${job.seed}`;
    const file = join(cfg.out_dir, "arms", `${job.arm}.s${job.seed}.json`);
    const fp = armFingerprint(cfg, {
      arm: job.arm,
      order: job.order ?? null,
      base: ws.baseFingerprint,
      inputs: ws.inputsFingerprint,
    });
    const tag = `[arm ${index + 1}/${jobs.length}] ${label}`;
    let result: ArmSeedResult | null = null;
    let curriculum: CurriculumResult | null = null;
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, "utf8")) as {
        fingerprint: string;
        result: ArmSeedResult;
        curriculum?: CurriculumResult;
      };
      if (saved.fingerprint === fp) {
        result = saved.result;
        curriculum = saved.curriculum ?? null;
        armsSkipped.push(label);
        log(`${tag}: finished earlier, skipped (mean ${result.mean.toFixed(4)})`);
      }
    }
    if (!result) {
      log(`${tag}: start${job.order ? ` (order ${job.order.join(" -> ")})` : ""}`);
      const t0 = performance.now();
      ({ result, curriculum } = await runArm(ws, job, merges));
      result.seconds = (performance.now() - t0) / 1000;
      writeJson(file, { fingerprint: fp, result, ...(curriculum ? { curriculum } : {}) });
      armsRun.push(label);
      const elapsed = (performance.now() - started) / 1000;
      log(
        `${tag}: done in ${formatDuration(result.seconds)}, mean normalized ${result.mean.toFixed(4)} ` +
          `(${tasks.map((t) => `${t} ${result!.scores[t]!.normalized.toFixed(3)}`).join(", ")}) | ` +
          `elapsed ${formatDuration(elapsed)}, ETA ${eta(jobs.slice(index + 1))}`,
      );
    }
    if (curriculum) curricula.push(curriculum);
    const list = results.get(job.arm) ?? [];
    list.push(result);
    results.set(job.arm, list);
  }

  // ---- 3. summaries, prediction quality, comparisons ----
  const arms: ArmResult[] = [];
  for (const arm of [...cfg.arms, ...[...results.keys()].filter((a) => a.startsWith("order_"))]) {
    const r = results.get(arm);
    if (!r) continue;
    const job = jobs.find((j) => j.arm === arm)!;
    arms.push(summarize(arm, job.kind, r, tasks, job.order));
  }
  const bwt = bwtResult?.bwt ?? null;
  const prediction = bwt ? predictionQuality(bwt, orders, curricula, tasks) : null;
  const byArm = new Map(arms.map((a) => [a.arm, a]));
  const comparisons: ComparisonLine[] = [];
  const cmp = (a: string, b: string) => {
    const A = byArm.get(a);
    const B = byArm.get(b);
    if (A && B) comparisons.push({ a, b, diff: compare(A.summary, B.summary) });
  };
  const headline = byArm.has("curriculum_best") ? "curriculum_best" : curriculumArms[0];
  if (headline) {
    cmp(headline, "joint");
    for (const m of merges) cmp(headline, m.arm);
    for (const other of ["curriculum_worst", "curriculum_heuristic", "sft", "base"])
      if (other !== headline) cmp(headline, other);
  }
  cmp("joint", "base");

  const result: ExperimentResult = {
    name: cfg.name,
    preset: cfg.preset,
    tasks: [...tasks],
    seeds: cfg.seeds,
    budget: { stage: cfg.budget.stage, stepsPerTask, rlStepsPerArm },
    bwt,
    bwtPerSeed: bwtResult?.perSeed ?? [],
    orders,
    arms,
    curricula,
    prediction,
    comparisons,
    counters: { ...ws.counters },
    armsSkipped,
    armsRun,
    wallSeconds: (performance.now() - started) / 1000,
    finishedAt: new Date().toISOString(),
    files: {
      experiment: join(cfg.out_dir, "experiment.json"),
      reportMd: join(cfg.out_dir, "report.md"),
      reportHtml: join(cfg.out_dir, "report.html"),
      bwt: bwtResult?.file ?? null,
    },
  };
  writeJson(result.files.experiment, result);
  writeText(result.files.reportMd, renderReportMarkdown(result));
  writeText(result.files.reportHtml, renderReportHtml(result));
  log(
    `experiment ${cfg.name}: ${armsRun.length} arm run(s), ${armsSkipped.length} skipped, ` +
      `${c.runsTrained} RL run(s) trained (${c.stepsTrained} steps), ${c.runsReused} reused, ` +
      `${c.taskEvalsComputed} task evaluation(s) computed, ${c.taskEvalsReused} reused, in ${formatDuration(result.wallSeconds)}`,
  );
  log(`  -> ${result.files.experiment}\n  -> ${result.files.reportMd}\n  -> ${result.files.reportHtml}`);
  return result;
}

async function runArm(
  ws: Workspace,
  job: { arm: string; seed: number; kind: ArmKind; order?: string[] },
  merges: ReturnType<typeof mergeArms>,
): Promise<{ result: ArmSeedResult; curriculum: CurriculumResult | null }> {
  const { cfg } = ws;
  const { tasks } = cfg;
  const done = (
    scores: Scores,
    model: string,
    rlSteps: number,
    detail?: Record<string, unknown>,
  ): ArmSeedResult => {
    const m = meanScore(scores, tasks);
    return {
      seed: job.seed,
      scores,
      mean: m.mean,
      stderr: m.stderr,
      model,
      rlSteps,
      seconds: 0,
      ...(detail ? { detail } : {}),
    };
  };
  switch (job.kind) {
    case "base": {
      const scores = await ws.evaluateModel(cfg.base_model, join(cfg.out_dir, "base"), tasks, "base");
      return { result: done(scores, cfg.base_model, 0), curriculum: null };
    }
    case "sft": {
      const dir = join(cfg.out_dir, "sft");
      const rows = (await Promise.all(tasks.map((t) => ws.taskTrainRows(t)))).flat();
      const fp = fingerprint({
        sft: cfg.sft,
        base: ws.baseFingerprint,
        inputs: ws.inputsFingerprint,
        tasks,
        max_rows: cfg.data.max_rows,
        data: cfg.data.dir,
      });
      const marker = join(dir, "sft.json");
      let detail: Record<string, unknown>;
      if (existsSync(marker) && JSON.parse(readFileSync(marker, "utf8")).fingerprint === fp) {
        detail = JSON.parse(readFileSync(marker, "utf8")).detail;
      } else {
        ws.log(
          `    sft: ${rows.length} rows, ${cfg.sft.steps} steps of ${cfg.sft.batch}x${cfg.sft.seq} tokens`,
        );
        const r = sftOnReferences({
          model: cfg.base_model,
          rows,
          out: join(dir, "model"),
          steps: cfg.sft.steps,
          lr: cfg.sft.lr,
          warmupSteps: cfg.sft.warmup_steps,
          batch: cfg.sft.batch,
          seq: cfg.sft.seq,
          weightDecay: cfg.sft.weight_decay,
          gradClip: cfg.sft.grad_clip,
          seed: job.seed,
          logEvery: Math.max(1, Math.floor(cfg.sft.steps / 5)),
          onStep: (step, loss) => ws.log(`    sft step ${step}/${cfg.sft.steps}: loss ${loss.toFixed(3)}`),
        });
        ws.counters.sftSteps += r.steps;
        ws.counters.sftSeconds += r.seconds;
        detail = {
          examples: r.examples,
          skipped: r.skipped,
          steps: r.steps,
          firstLoss: r.firstLoss,
          finalLoss: r.finalLoss,
          seconds: r.seconds,
        };
        writeJson(marker, { fingerprint: fp, detail });
      }
      const scores = await ws.evaluateModel(join(dir, "model"), dir, tasks, "sft");
      return { result: done(scores, join(dir, "model"), 0, detail), curriculum: null };
    }
    case "joint": {
      const run = await ws.ensureRun(await jointSpec(ws, job.seed));
      const scores = await ws.evaluateModel(run.model, run.dir, tasks, run.key);
      return { result: done(scores, run.model, run.steps, { run: run.key }), curriculum: null };
    }
    case "merge": {
      const m = merges.find((x) => x.arm === job.arm)!;
      const experts = [];
      for (const t of tasks) experts.push((await ensurePrefixRuns(ws, [t], job.seed))[0]!);
      const dir = join(cfg.out_dir, "merges", `${m.name}-s${job.seed}`);
      const fp = fingerprint({
        spec: m.spec,
        experts: experts.map((e) => e.fingerprint),
        base: ws.baseFingerprint,
      });
      const marker = join(dir, "merge.json");
      if (!(existsSync(marker) && JSON.parse(readFileSync(marker, "utf8")).fingerprint === fp)) {
        const plan = parseMergePlan(
          {
            merge_method: m.spec.merge_method,
            base_model: cfg.base_model,
            models: experts.map((e) => ({ model: e.model })),
            parameters: m.spec.parameters,
            seed: job.seed,
          },
          `${cfg.name}: merges.${m.name}`,
          cfg.out_dir,
        );
        const summary = runMerge(plan, join(dir, "model"));
        writeJson(marker, { fingerprint: fp, experts: experts.map((e) => e.key), summary });
      }
      const scores = await ws.evaluateModel(join(dir, "model"), dir, tasks, `${m.arm} s${job.seed}`);
      return {
        result: done(
          scores,
          join(dir, "model"),
          experts.reduce((a, e) => a + e.steps, 0),
          {
            method: m.spec.merge_method,
            parameters: m.spec.parameters,
            experts: experts.map((e) => e.key),
          },
        ),
        curriculum: null,
      };
    }
    case "curriculum": {
      const cur = await runCurriculum(ws, job.order!, job.seed);
      return {
        result: done(cur.final, join(ws.rlDir, cur.stages.at(-1)!.run), cur.totalSteps, {
          order: cur.order,
          curriculum: cur.name,
        }),
        curriculum: cur,
      };
    }
  }
}

/** How well the BWT prediction ranked and scored the curriculum orders that were trained. */
export function predictionQuality(
  bwt: BwtFile,
  orders: OrderInfo[],
  curricula: CurriculumResult[],
  tasks: readonly string[],
): PredictionQuality | null {
  const byOrder = new Map<string, { order: string[]; roles: string[]; finals: Scores[] }>();
  for (const o of orders) {
    const key = o.order.join(">");
    const entry = byOrder.get(key) ?? { order: o.order, roles: [], finals: [] };
    if (!entry.roles.includes(o.role)) entry.roles.push(o.role);
    byOrder.set(key, entry);
  }
  const seen = new Set<string>();
  for (const c of curricula) {
    const id = `${c.order.join(">")}@${c.seed}`;
    if (seen.has(id)) continue; // the same order under two roles ran once
    seen.add(id);
    byOrder.get(c.order.join(">"))?.finals.push(c.final);
  }
  const measured = [...byOrder.values()].filter((e) => e.finals.length > 0);
  if (measured.length === 0) return null;
  const rows = measured.map((e) => {
    const p = predictOrder(bwt, e.order);
    const actualPerTask = Object.fromEntries(
      tasks.map((t) => [t, mean(e.finals.map((f) => f[t]!.normalized))]),
    );
    return {
      order: e.order,
      roles: e.roles,
      predicted: p.mean,
      predictedPerTask: p.perTask,
      actual: mean(tasks.map((t) => actualPerTask[t]!)),
      actualPerTask,
    };
  });
  const cellsPred = rows.flatMap((r) => bwt.tasks.map((_, i) => r.predictedPerTask[i]!));
  const cellsAct = rows.flatMap((r) => bwt.tasks.map((t) => r.actualPerTask[t]!));
  return {
    orders: rows.map(({ predictedPerTask: _pp, ...r }) => r),
    spearmanOrders: spearman(
      rows.map((r) => r.predicted),
      rows.map((r) => r.actual),
    ),
    maeOrders: meanAbsoluteError(
      rows.map((r) => r.predicted),
      rows.map((r) => r.actual),
    ),
    spearmanCells: spearman(cellsPred, cellsAct),
    maeCells: meanAbsoluteError(cellsPred, cellsAct),
  };
}
