// The task sampler interface: which task (and which row of it) each prompt of a step comes from.
// A trainer asks `next(n)` for prompts (possibly several times a step, e.g. to refill after dynamic
// sampling), reports the step's per-task statistics with `update(stats)` once per step, and checkpoints
// `exportState()`. Samplers know nothing about training: they see rows and numbers.
import type { Row } from "../tasks/schema.js";

export interface DrawnPrompt {
  task: string;
  row: Row;
  /** Index of the row in its task's dataset. */
  rowIndex: number;
}

/** Per-task statistics of one step, as reported by the trainer. */
export interface TaskStepStats {
  prompts: number;
  rewardMean: number;
  metricMean: number;
}

export interface StepStats {
  step: number;
  tasks: Record<string, TaskStepStats>;
}

export interface StageInfo {
  /** 0-based stage index. */
  index: number;
  task: string;
  /** Steps this stage has run so far. */
  stepsDone: number;
}

export interface TaskSampler {
  readonly kind: string;
  /** Tasks this sampler can draw from. */
  readonly tasks: readonly string[];
  /** Up to n prompts. Fewer (possibly none) only when the current stage's data pass is used up. */
  next(n: number): DrawnPrompt[];
  /** Called once at the end of every step. */
  update(stats: StepStats): void;
  /** True when there is nothing left to train (a sequential schedule finished its last stage). */
  done(): boolean;
  /** The current stage of a staged schedule; null for mixtures. */
  currentStage(): StageInfo | null;
  /** Steps the schedule plans for `promptsPerStep` prompts a step; null when unbounded (mixtures). */
  plannedSteps(promptsPerStep: number): number | null;
  exportState(): SamplerState;
  importState(state: SamplerState): void;
}

/** JSON-serializable sampler state. */
export type SamplerState = Record<string, unknown>;
