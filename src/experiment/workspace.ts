// The experiment's store of training runs and evaluations, shared by the BWT runner, the curriculum and
// the experiment arms. Everything is cached on disk and reused when a command is re-run:
//
//   <out_dir>/rl/<key>/          one GRPO run (the trainer's run directory) + run.json when finished
//   <owner>/evals/<task>.json    one model's evaluation on one task's held-out rows
//
// A run is keyed by what was trained, in order, and the seed: "s0-math" is math trained alone from the
// base model; "s0-math.code" is code trained after it, starting from s0-math's final checkpoint. So a
// single-task expert, a BWT pair run and a curriculum's first stages are the same run and train once.
// A finished run whose config no longer matches (its fingerprint) is an error, never silently reused.
// Fingerprints cover contents, not just paths: the base model's weights, the task files and the
// judges' weights, so a retrained model or a rebuilt dataset under the same path is never reused.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalTaskInput } from "../eval/evaluate.js";
import { evaluate } from "../eval/evaluate.js";
import { LocalGenerator } from "../eval/local-generator.js";
import { loadTaskInputs } from "../eval/run-eval.js";
import { listCheckpoints } from "../models/checkpoint.js";
import { weightsFingerprint } from "../models/hf-model.js";
import { loadPretrained } from "../models/pretrained.js";
import { loadRewardRouter, type RewardRouter } from "../rewards/router.js";
import { parseTrainConfig, type TrainConfig } from "../rl/config.js";
import { readJsonl } from "../rl/run-files.js";
import { train } from "../rl/trainer.js";
import { readRows } from "../tasks/io.js";
import type { Row } from "../tasks/schema.js";
import { formatDuration } from "../util/progress.js";
import type { ExperimentConfig } from "./config.js";
import { writeJson } from "./files.js";
import { mean, stderrOfMean } from "./stats.js";

/** One model's score on one task's held-out rows. */
export interface TaskScore {
  task: string;
  /** The normalized score in [0,1] (BWT and the arm comparison use it). */
  normalized: number;
  /** Standard error of `normalized` over the evaluated samples. */
  stderr: number;
  /** Mean token entropy of the policy over its own (greedy) responses. */
  entropy: number | null;
  n: number;
  meanResponseTokens: number | null;
  statusCounts: Record<string, number>;
}

export type Scores = Record<string, TaskScore>;

/** Statuses that mean the reward could not be computed (not a wrong answer). */
const FAILURE_STATUSES = ["timeout", "sandbox_error", "judge_error", "judge_unparseable", "generation_error"];

export interface RunSpec {
  key: string;
  /** HF model directory the run starts from. */
  start: string;
  /** Fingerprint of the start model: the parent run's, or the base model's path. */
  startFingerprint: string;
  tasks: string[];
  schedule: TrainConfig["schedule"];
  /** null = planned by a sequential schedule (one pass). */
  steps: number | null;
  seed: number;
}

export interface RunRecord {
  key: string;
  dir: string;
  /** Final checkpoint: a complete HF model directory. */
  model: string;
  fingerprint: string;
  steps: number;
  seconds: number;
  /** True when this call found the run finished and trained nothing. */
  reused: boolean;
}

export interface WorkspaceCounters {
  runsTrained: number;
  runsResumed: number;
  runsReused: number;
  stepsTrained: number;
  trainSeconds: number;
  taskEvalsComputed: number;
  taskEvalsReused: number;
  evalSeconds: number;
  sftSteps: number;
  sftSeconds: number;
}

/** JSON with sorted keys, so a fingerprint does not depend on key order. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export function fingerprint(v: unknown): string {
  return createHash("sha256").update(stableStringify(v)).digest("hex").slice(0, 16);
}

/** sha256 over the JSONL/Parquet files of each task's data directory (`<dir>/<task>/*`). */
export function dataFingerprint(dir: string, tasks: readonly string[]): string {
  const h = createHash("sha256");
  for (const task of [...tasks].sort()) {
    const taskDir = join(dir, task);
    if (!existsSync(taskDir)) continue;
    for (const f of readdirSync(taskDir).sort()) {
      if (!/\.(jsonl|parquet)$/.test(f)) continue;
      h.update(`${task}/${f}\0`);
      h.update(readFileSync(join(taskDir, f)));
    }
  }
  return h.digest("hex").slice(0, 16);
}

const modelFingerprint = (dir: string): string => (existsSync(dir) ? weightsFingerprint(dir) : "missing");

export class Workspace {
  readonly router: RewardRouter;
  readonly counters: WorkspaceCounters = {
    runsTrained: 0,
    runsResumed: 0,
    runsReused: 0,
    stepsTrained: 0,
    trainSeconds: 0,
    taskEvalsComputed: 0,
    taskEvalsReused: 0,
    evalSeconds: 0,
    sftSteps: 0,
    sftSeconds: 0,
  };
  /** The base model's path and weights: the start of every run from the base. */
  readonly baseFingerprint: string;
  /** What every score depends on besides the policy: the task files and the judges' identities. */
  readonly inputsFingerprint: string;
  private readonly inputs = new Map<string, EvalTaskInput>();
  private readonly trainRows = new Map<string, Row[]>();

  /** `cfg` must have absolute paths (resolveExperimentPaths). */
  constructor(
    readonly cfg: ExperimentConfig,
    readonly log: (line: string) => void = (l) => console.error(l),
  ) {
    this.router = loadRewardRouter(cfg.rewards);
    this.baseFingerprint = `base:${cfg.base_model}:${modelFingerprint(cfg.base_model)}`;
    this.inputsFingerprint = fingerprint({
      data: dataFingerprint(cfg.data.dir, cfg.tasks),
      judges: this.router.judgeIdentities(),
    });
    mkdirSync(cfg.out_dir, { recursive: true });
  }

  async close(): Promise<void> {
    await this.router.close();
  }

  get rlDir(): string {
    return join(this.cfg.out_dir, "rl");
  }

  // ---- RL runs ----------------------------------------------------------------------------------

  /** The trainer config of a run: the experiment's rl/optim blocks, this run's tasks, schedule and seed. */
  trainConfig(spec: RunSpec): TrainConfig {
    const c = this.cfg;
    return parseTrainConfig(
      {
        name: spec.key,
        out_dir: this.rlDir,
        model: spec.start,
        rewards: c.rewards,
        data: { dir: c.data.dir, split: "train", max_rows: c.data.max_rows },
        tasks: spec.tasks,
        schedule: spec.schedule,
        steps: spec.steps,
        seed: spec.seed,
        rl: c.rl,
        optim: c.optim,
        eval: { at_start: false, at_end: false, every: 0 },
        save_every: c.save_every,
        keep_checkpoints: 1,
        progress: c.progress,
      },
      `${c.name}: run ${spec.key}`,
    );
  }

  /** What decides a run's weights: everything but its name, paths of its outputs and logging. */
  runFingerprint(spec: RunSpec, tc: TrainConfig): string {
    const {
      name: _n,
      out_dir: _o,
      model: _m,
      progress: _p,
      save_every: _s,
      keep_checkpoints: _k,
      log_samples: _l,
      eval: _e,
      data,
      ...rest
    } = tc;
    // Keys added to the train config after runs were recorded stay out of the fingerprint while they
    // hold their default, so those runs remain reusable.
    const { difficulty, ...dataBefore } = data;
    const dataPart = difficulty === null ? dataBefore : data;
    return fingerprint({
      ...rest,
      data: dataPart,
      start: spec.startFingerprint,
      inputs: this.inputsFingerprint,
    });
  }

  runDir(key: string): string {
    return join(this.rlDir, key);
  }

  /** The finished run's record, or null when it has not finished. Throws when its config changed. */
  finishedRun(spec: RunSpec): RunRecord | null {
    const file = join(this.runDir(spec.key), "run.json");
    if (!existsSync(file)) return null;
    const rec = JSON.parse(readFileSync(file, "utf8")) as RunRecord;
    const fp = this.runFingerprint(spec, this.trainConfig(spec));
    if (rec.fingerprint !== fp) {
      throw new Error(
        `${this.runDir(spec.key)} was trained with another config (fingerprint ${rec.fingerprint}, now ${fp}): ` +
          `delete that directory to retrain it, or set another out_dir`,
      );
    }
    if (!existsSync(join(rec.model, "model.safetensors")))
      throw new Error(
        `${file}: its model ${rec.model} is missing; delete ${this.runDir(spec.key)} to retrain`,
      );
    return { ...rec, reused: true };
  }

  /** Trains a run unless it is finished (then reuses it); a killed run resumes from its checkpoint. */
  async ensureRun(spec: RunSpec): Promise<RunRecord> {
    const done = this.finishedRun(spec);
    if (done) {
      this.counters.runsReused++;
      return done;
    }
    const tc = this.trainConfig(spec);
    const fp = this.runFingerprint(spec, tc);
    const dir = this.runDir(spec.key);
    const resume = existsSync(join(dir, "metrics.jsonl")) || listCheckpoints(dir).length > 0;
    if (resume) this.counters.runsResumed++;
    const started = performance.now();
    const result = await train(tc, { resume, router: this.router, log: (m) => this.log(`    ${m}`) });
    const seconds = (performance.now() - started) / 1000;
    const checkpoints = listCheckpoints(dir);
    const model = result.checkpoint ?? checkpoints.at(-1)?.dir;
    if (!model) throw new Error(`run ${spec.key} finished without a checkpoint in ${dir}`);
    this.counters.runsTrained++;
    this.counters.stepsTrained += result.step - result.startStep;
    this.counters.trainSeconds += seconds;
    const rec: RunRecord = {
      key: spec.key,
      dir,
      model,
      fingerprint: fp,
      steps: result.step,
      seconds,
      reused: false,
    };
    writeJson(join(dir, "run.json"), rec);
    return rec;
  }

  /** The trainer's step lines of a run (kind "train"). */
  runMetrics(key: string): Record<string, unknown>[] {
    return readJsonl(join(this.runDir(key), "metrics.jsonl")).filter((l) => l.kind === "train");
  }

  /** Training rows of a task, as the trainer reads them (first data.max_rows). */
  async taskTrainRows(task: string): Promise<Row[]> {
    let rows = this.trainRows.get(task);
    if (!rows) {
      const base = join(this.cfg.data.dir, task, "train");
      const file = [`${base}.jsonl`, `${base}.parquet`].find((f) => existsSync(f));
      if (!file) throw new Error(`no train split for task "${task}": expected ${base}.jsonl or .parquet`);
      rows = await readRows(file);
      if (this.cfg.data.max_rows !== null) rows = rows.slice(0, this.cfg.data.max_rows);
      this.trainRows.set(task, rows);
    }
    return rows;
  }

  // ---- evaluation -------------------------------------------------------------------------------

  evalSettings(): Record<string, unknown> {
    const e = this.cfg.eval;
    const rlMax = (this.cfg.rl as { max_new_tokens?: number }).max_new_tokens;
    return {
      split: e.split,
      limit: e.limit,
      max_new_tokens: e.max_new_tokens ?? rlMax ?? 128,
      max_prompt_tokens: (this.cfg.rl as { max_prompt_tokens?: number }).max_prompt_tokens ?? 512,
      temperature: 0,
      seed: 0,
    };
  }

  private async input(task: string): Promise<EvalTaskInput> {
    let inp = this.inputs.get(task);
    if (!inp) {
      const e = this.cfg.eval;
      [inp] = await loadTaskInputs(
        { tasks: [task], data: this.cfg.data.dir, split: e.split, limit: e.limit },
        this.router,
      );
      this.inputs.set(task, inp!);
    }
    return inp!;
  }

  /**
   * Scores of `modelDir` on `tasks`, cached in `<owner>/evals/<task>.json` (recomputed only when missing
   * or when the evaluation settings changed). Greedy decoding: the same model gives the same scores.
   */
  async evaluateModel(
    modelDir: string,
    owner: string,
    tasks: readonly string[],
    label: string,
  ): Promise<Scores> {
    const settings = this.evalSettings();
    const fp = fingerprint({
      settings,
      model: modelDir,
      weights: modelFingerprint(modelDir),
      inputs: this.inputsFingerprint,
    });
    const out: Scores = {};
    const missing: string[] = [];
    for (const task of tasks) {
      const file = join(owner, "evals", `${task}.json`);
      if (existsSync(file)) {
        const cached = JSON.parse(readFileSync(file, "utf8")) as { fingerprint: string; score: TaskScore };
        if (cached.fingerprint === fp) {
          out[task] = cached.score;
          this.counters.taskEvalsReused++;
          continue;
        }
      }
      missing.push(task);
    }
    if (missing.length === 0) return out;
    const started = performance.now();
    const policy = loadPretrained(modelDir);
    const generator = new LocalGenerator(policy, {
      batchSize: this.cfg.eval.batch_size,
      maxPromptTokens: settings.max_prompt_tokens as number,
    });
    const inputs = await Promise.all(missing.map((t) => this.input(t)));
    const result = await evaluate(generator, this.router, inputs, {
      n: 1,
      temperature: 0,
      topP: 1,
      maxTokens: settings.max_new_tokens as number,
      seed: 0,
      keepSamples: true,
    });
    for (const tm of result.tasks) {
      const metrics = (result.samples ?? []).filter((s) => s.task === tm.task).map((s) => s.metric);
      const score: TaskScore = {
        task: tm.task,
        normalized: tm.normalizedScore,
        stderr: stderrOfMean(metrics),
        entropy: tm.meanEntropy ?? null,
        n: metrics.length,
        meanResponseTokens: tm.meanResponseTokens ?? null,
        statusCounts: tm.statusCounts,
      };
      writeJson(join(owner, "evals", `${tm.task}.json`), {
        fingerprint: fp,
        model: modelDir,
        settings,
        score,
      });
      out[tm.task] = score;
      const failed = Object.entries(tm.statusCounts).filter(([s]) => FAILURE_STATUSES.includes(s));
      if (failed.length > 0) {
        this.log(
          `    warning: ${label} ${tm.task}: ${failed.map(([s, n]) => `${n} ${s}`).join(", ")} of ${score.n} samples ` +
            "(scored 0 with that status; check the reward service)",
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    this.counters.taskEvalsComputed += missing.length;
    this.counters.evalSeconds += seconds;
    this.log(
      `    eval ${label}: ${missing.map((t) => `${t} ${out[t]!.normalized.toFixed(3)}`).join(", ")} (${formatDuration(seconds)})`,
    );
    return out;
  }
}

/** Mean normalized score over `tasks`, and its standard error from the per-task errors. */
export function meanScore(scores: Scores, tasks: readonly string[]): { mean: number; stderr: number } {
  const m = mean(tasks.map((t) => scores[t]!.normalized));
  const se = Math.sqrt(tasks.reduce((a, t) => a + scores[t]!.stderr ** 2, 0)) / tasks.length;
  return { mean: m, stderr: se };
}
