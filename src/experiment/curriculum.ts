// Curriculum RL from a chosen stage order. Each stage is one GRPO run on its task that starts from the
// previous stage's final checkpoint (the first from the base model), for `budget.steps_per_task` steps
// or one pass over the task's training rows. Stages are runs of the workspace, keyed by the prefix of
// the order trained so far, so curricula that share a prefix (and the single-task experts, which are
// one-stage prefixes) train it once. Each stage starts a fresh optimizer and learning-rate schedule.
//
// After every stage the policy is evaluated on every task; the curriculum's metrics.jsonl holds the
// trainer's step lines renumbered into one run, with stage_start / stage_end markers, and at each
// stage end every task's normalized score and token entropy (the data behind the entropy explanation).
import { join } from "node:path";
import { parseTrainConfig } from "../rl/config.js";
import { writeText } from "./files.js";
import { meanScore, type RunRecord, type RunSpec, type Scores, type Workspace } from "./workspace.js";

const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_");

/** The run key of `prefix` (tasks trained in this order) for a seed, e.g. "s0-math.code". */
export function prefixKey(prefix: readonly string[], seed: number): string {
  return `s${seed}-${prefix.map(safe).join(".")}`;
}

/** The curriculum's name, e.g. "s0-math.code.qa.writing". */
export const curriculumName = prefixKey;

/** Prompts per step of the experiment's RL runs (the trainer's default when the config leaves it). */
export function promptsPerStep(ws: Workspace): number {
  return parseTrainConfig({ rl: ws.cfg.rl }, `${ws.cfg.name}: rl`).rl.prompts_per_step;
}

/** Steps one stage of `task` takes: the configured budget, or one pass over its training rows. */
export async function stageSteps(ws: Workspace, task: string): Promise<number> {
  if (ws.cfg.budget.stage === "steps") return ws.cfg.budget.steps_per_task;
  const rows = await ws.taskTrainRows(task);
  return Math.ceil(rows.length / promptsPerStep(ws));
}

function stageSpec(
  ws: Workspace,
  prefix: readonly string[],
  seed: number,
  parent: RunRecord | null,
): RunSpec {
  const task = prefix.at(-1)!;
  const steps = ws.cfg.budget.steps_per_task;
  const pass = ws.cfg.budget.stage === "pass";
  return {
    key: prefixKey(prefix, seed),
    start: parent ? parent.model : ws.cfg.base_model,
    startFingerprint: parent ? parent.fingerprint : ws.baseFingerprint,
    tasks: [task],
    schedule: { type: "sequential", stages: [pass ? { task, pass: true } : { task, steps }] },
    steps: pass ? null : steps,
    seed,
  };
}

/** Trains (or reuses) every prefix of `order` up to its full length; returns one record per stage. */
export async function ensurePrefixRuns(
  ws: Workspace,
  order: readonly string[],
  seed: number,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  let parent: RunRecord | null = null;
  for (let k = 1; k <= order.length; k++) {
    const prefix = order.slice(0, k);
    const spec = stageSpec(ws, prefix, seed, parent);
    const reuse = ws.finishedRun(spec);
    if (!reuse)
      ws.log(
        `    train ${spec.key} (stage ${k}/${order.length}: ${prefix.at(-1)}, from ${parent?.key ?? "base"})`,
      );
    parent = await ws.ensureRun(spec);
    records.push(parent);
  }
  return records;
}

/** Joint RL over all tasks with the same total step budget as a curriculum over them. */
export async function jointSpec(ws: Workspace, seed: number): Promise<RunSpec> {
  let steps = 0;
  for (const t of ws.cfg.tasks) steps += await stageSteps(ws, t);
  return {
    key: `s${seed}-joint`,
    start: ws.cfg.base_model,
    startFingerprint: ws.baseFingerprint,
    tasks: [...ws.cfg.tasks],
    schedule: { type: "joint", weights: "uniform" },
    steps,
    seed,
  };
}

export interface StageResult {
  index: number;
  task: string;
  run: string;
  steps: number;
  /** Every task's score (and token entropy) at the end of this stage. */
  scores: Scores;
  /** Mean training token entropy of the stage's last step (the stage's own task). */
  trainEntropy: number | null;
}

export interface CurriculumResult {
  name: string;
  order: string[];
  seed: number;
  /** Scores of the base model (the state before stage 1). */
  start: Scores;
  stages: StageResult[];
  /** Scores after the last stage. */
  final: Scores;
  mean: number;
  /** Standard error of `mean` from the evaluation's sampling error. */
  stderr: number;
  totalSteps: number;
  metricsFile: string;
}

/** Runs (or reuses) a curriculum in `order`, evaluating every task after every stage. */
export async function runCurriculum(
  ws: Workspace,
  order: readonly string[],
  seed: number,
): Promise<CurriculumResult> {
  const tasks = ws.cfg.tasks;
  const start = await ws.evaluateModel(ws.cfg.base_model, join(ws.cfg.out_dir, "base"), tasks, "base");
  const runs = await ensurePrefixRuns(ws, order, seed);
  const stages: StageResult[] = [];
  const lines: Record<string, unknown>[] = [];
  let offset = 0;
  for (const [index, run] of runs.entries()) {
    const task = order[index]!;
    const scores = await ws.evaluateModel(run.model, run.dir, tasks, `${run.key}`);
    const trainLines = ws.runMetrics(run.key);
    lines.push({ kind: "stage_start", step: offset, stage: index, task, run: run.key });
    for (const l of trainLines) {
      lines.push({ ...l, step: offset + (l.step as number), stage_step: l.step, stage: { index, task } });
    }
    const last = trainLines.at(-1);
    const trainEntropy =
      typeof last?.[`${task}/entropy`] === "number" ? (last[`${task}/entropy`] as number) : null;
    offset += run.steps;
    const end: Record<string, unknown> = {
      kind: "stage_end",
      step: offset,
      stage: index,
      task,
      run: run.key,
    };
    for (const t of tasks) {
      end[`eval/${t}/normalized`] = scores[t]!.normalized;
      end[`eval/${t}/entropy`] = scores[t]!.entropy;
    }
    end["eval/mean_normalized"] = meanScore(scores, tasks).mean;
    end["train/entropy"] = trainEntropy;
    lines.push(end);
    stages.push({ index, task, run: run.key, steps: run.steps, scores, trainEntropy });
  }
  const name = curriculumName(order, seed);
  const metricsFile = join(ws.cfg.out_dir, "curricula", name, "metrics.jsonl");
  writeText(metricsFile, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  const final = stages.at(-1)!.scores;
  const m = meanScore(final, tasks);
  return {
    name,
    order: [...order],
    seed,
    start,
    stages,
    final,
    mean: m.mean,
    stderr: m.stderr,
    totalSteps: offset,
    metricsFile,
  };
}
