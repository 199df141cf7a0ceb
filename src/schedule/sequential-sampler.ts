// Sequential stages (curriculum): an ordered list of stages, each one task, trained either for a fixed
// number of steps or for one pass over that task's data. The order is an input: the scheduling layer
// (e.g. a BWT-guided order predictor) decides it and hands the stage list in.
//
// In a `pass` stage, next() never hands out a row twice: the last step of the pass may get fewer
// prompts, and once the pass is used up next() returns [] until update() moves to the next stage.
import type { Row } from "../tasks/schema.js";
import { type CursorState, DataCursor } from "./data-cursor.js";
import type { DrawnPrompt, SamplerState, StageInfo, StepStats, TaskSampler } from "./task-sampler.js";

export type StageSpec = { task: string; steps: number } | { task: string; pass: true };

export class SequentialSampler implements TaskSampler {
  readonly kind = "sequential";
  readonly tasks: readonly string[];
  private readonly cursors: Map<string, DataCursor>;
  private stage = 0;
  private stepsInStage = 0;
  /** Cursor epoch at the start of the current pass stage. */
  private passEpoch = 0;

  constructor(
    data: Record<string, readonly Row[]>,
    readonly stages: readonly StageSpec[],
    seed: number,
  ) {
    if (stages.length === 0) throw new Error("sequential sampler: no stages");
    for (const [i, s] of stages.entries()) {
      if (!data[s.task]) throw new Error(`stage ${i}: task "${s.task}" has no data`);
      if ("steps" in s && (!Number.isInteger(s.steps) || s.steps < 1))
        throw new Error(`stage ${i} (${s.task}): steps must be a positive integer, got ${s.steps}`);
    }
    this.tasks = [...new Set(stages.map((s) => s.task))];
    this.cursors = new Map(this.tasks.map((t) => [t, new DataCursor(t, data[t]!, seed)]));
    this.startStage();
  }

  private startStage(): void {
    this.stepsInStage = 0;
    const s = this.stages[this.stage];
    if (s && "pass" in s) {
      const c = this.cursors.get(s.task)!;
      // A pass starts at a fresh epoch unless the cursor sits at the start of one.
      if (c.position > 0) c.setState({ epoch: c.epoch + 1, position: 0 });
      this.passEpoch = c.epoch;
    }
  }

  private passLeft(): number {
    const s = this.stages[this.stage]!;
    const c = this.cursors.get(s.task)!;
    if (c.epoch > this.passEpoch) return 0;
    return c.remaining;
  }

  next(n: number): DrawnPrompt[] {
    if (this.done()) return [];
    const s = this.stages[this.stage]!;
    const c = this.cursors.get(s.task)!;
    const count = "pass" in s ? Math.min(n, this.passLeft()) : n;
    const out: DrawnPrompt[] = [];
    for (let i = 0; i < count; i++) out.push({ task: s.task, ...c.take() });
    return out;
  }

  update(_stats: StepStats): void {
    if (this.done()) return;
    this.stepsInStage++;
    const s = this.stages[this.stage]!;
    const finished = "steps" in s ? this.stepsInStage >= s.steps : this.passLeft() === 0;
    if (finished) {
      this.stage++;
      this.startStage();
    }
  }

  done(): boolean {
    return this.stage >= this.stages.length;
  }

  currentStage(): StageInfo | null {
    if (this.done()) return null;
    return { index: this.stage, task: this.stages[this.stage]!.task, stepsDone: this.stepsInStage };
  }

  plannedSteps(promptsPerStep: number): number {
    return this.stages.reduce(
      (sum, s) =>
        sum +
        ("steps" in s ? s.steps : Math.ceil(this.cursors.get(s.task)!.size / Math.max(1, promptsPerStep))),
      0,
    );
  }

  exportState(): SamplerState {
    return {
      kind: this.kind,
      stage: this.stage,
      steps_in_stage: this.stepsInStage,
      pass_epoch: this.passEpoch,
      cursors: Object.fromEntries([...this.cursors].map(([t, c]) => [t, c.getState()])),
    };
  }

  importState(state: SamplerState): void {
    if (state.kind !== this.kind)
      throw new Error(`sampler state is for "${String(state.kind)}", not "sequential"`);
    const cursors = state.cursors as Record<string, CursorState>;
    for (const t of this.tasks) {
      if (!cursors?.[t]) throw new Error(`sampler state has no cursor for task "${t}"`);
      this.cursors.get(t)!.setState(cursors[t]!);
    }
    this.stage = Number(state.stage);
    this.stepsInStage = Number(state.steps_in_stage);
    this.passEpoch = Number(state.pass_epoch);
  }
}
