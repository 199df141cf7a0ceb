// Joint mixture: every step mixes all tasks. Task weights are uniform, proportional to dataset size, or
// given explicitly. A step's n prompts are split between tasks by stratified allocation: each task gets
// floor(n * w) prompts, and the remaining slots go to tasks drawn (without replacement) in proportion
// to their fractional parts. Over many steps each task's share converges to its weight, and a step
// never lacks a task whose expected count is >= 1.
import { Rng, type RngState } from "../engine/rng.js";
import type { Row } from "../tasks/schema.js";
import { type CursorState, DataCursor } from "./data-cursor.js";
import type { DrawnPrompt, SamplerState, StageInfo, StepStats, TaskSampler } from "./task-sampler.js";

export type MixtureWeights = "uniform" | "proportional" | Record<string, number>;

/** Normalized task weights for a mixture spec. */
export function mixtureWeights(sizes: Record<string, number>, spec: MixtureWeights): Record<string, number> {
  const tasks = Object.keys(sizes);
  let raw: Record<string, number>;
  if (spec === "uniform") raw = Object.fromEntries(tasks.map((t) => [t, 1]));
  else if (spec === "proportional") raw = { ...sizes };
  else {
    for (const t of Object.keys(spec)) {
      if (!tasks.includes(t))
        throw new Error(`mixture weight for unknown task "${t}" (tasks: ${tasks.join(", ")})`);
    }
    raw = Object.fromEntries(tasks.map((t) => [t, spec[t] ?? 0]));
  }
  for (const [t, w] of Object.entries(raw)) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`mixture weight of "${t}" must be >= 0, got ${w}`);
  }
  const total = Object.values(raw).reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error("mixture weights sum to 0");
  return Object.fromEntries(tasks.map((t) => [t, raw[t]! / total]));
}

/** Splits n slots between tasks by stratified allocation (see the file comment). */
export function allocate(n: number, weights: Record<string, number>, rng: Rng): Record<string, number> {
  const tasks = Object.keys(weights);
  const counts: Record<string, number> = {};
  const frac: Record<string, number> = {};
  let given = 0;
  for (const t of tasks) {
    const exact = n * weights[t]!;
    counts[t] = Math.floor(exact + 1e-9);
    frac[t] = Math.max(0, exact - counts[t]!);
    given += counts[t]!;
  }
  let left = n - given;
  const pool = tasks.filter((t) => frac[t]! > 1e-9);
  while (left > 0 && pool.length > 0) {
    const total = pool.reduce((a, t) => a + frac[t]!, 0);
    let u = rng.next() * total;
    let k = 0;
    for (; k < pool.length - 1; k++) {
      u -= frac[pool[k]!]!;
      if (u < 0) break;
    }
    counts[pool[k]!]!++;
    pool.splice(k, 1);
    left--;
  }
  return counts;
}

export class JointSampler implements TaskSampler {
  readonly kind = "joint";
  readonly tasks: readonly string[];
  readonly weights: Record<string, number>;
  private readonly cursors: Map<string, DataCursor>;
  private rng: Rng;

  constructor(data: Record<string, readonly Row[]>, spec: MixtureWeights, seed: number) {
    this.tasks = Object.keys(data);
    if (this.tasks.length === 0) throw new Error("joint sampler: no tasks");
    this.cursors = new Map(this.tasks.map((t) => [t, new DataCursor(t, data[t]!, seed)]));
    this.weights = mixtureWeights(Object.fromEntries(this.tasks.map((t) => [t, data[t]!.length])), spec);
    this.rng = new Rng(seed ^ 0x3c6ef372);
  }

  next(n: number): DrawnPrompt[] {
    const counts = allocate(n, this.weights, this.rng);
    const out: DrawnPrompt[] = [];
    for (const task of this.tasks) {
      const cursor = this.cursors.get(task)!;
      for (let i = 0; i < counts[task]!; i++) out.push({ task, ...cursor.take() });
    }
    return out;
  }

  update(_stats: StepStats): void {
    // A fixed mixture does not adapt; adaptive samplers override this.
  }

  done(): boolean {
    return false;
  }

  currentStage(): StageInfo | null {
    return null;
  }

  plannedSteps(): number | null {
    return null;
  }

  exportState(): SamplerState {
    return {
      kind: this.kind,
      rng: this.rng.getState(),
      cursors: Object.fromEntries([...this.cursors].map(([t, c]) => [t, c.getState()])),
    };
  }

  importState(state: SamplerState): void {
    if (state.kind !== this.kind)
      throw new Error(`sampler state is for "${String(state.kind)}", not "joint"`);
    const cursors = state.cursors as Record<string, CursorState>;
    for (const t of this.tasks) {
      if (!cursors?.[t]) throw new Error(`sampler state has no cursor for task "${t}"`);
      this.cursors.get(t)!.setState(cursors[t]!);
    }
    this.rng = new Rng(state.rng as RngState);
  }
}
