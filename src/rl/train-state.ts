// What a GRPO checkpoint holds besides the weights: the optimizer moments, the trainer's RNG, the task
// sampler (data cursors included), the judge cache pointers and the step. Built on models/checkpoint.ts
// (atomic step-N directories with a sha256 manifest and fallback to the previous good one).
import type { AdamW } from "../engine/adamw.js";
import type { Rng, RngState } from "../engine/rng.js";
import {
  type LoadedCheckpoint,
  loadLatestCheckpoint,
  type OptimizerState,
  saveCheckpoint,
} from "../models/checkpoint.js";
import type { LlamaModel } from "../models/llama.js";
import type { Tensor } from "../models/safetensors.js";
import type { SamplerState, TaskSampler } from "../schedule/task-sampler.js";

export interface TrainerCheckpointState {
  step: number;
  total_steps: number;
  sampler: SamplerState;
  judge_cache: Record<string, number>;
}

export interface SaveTrainerOptions {
  runDir: string;
  step: number;
  totalSteps: number;
  model: LlamaModel;
  optimizer: AdamW;
  rng: Rng;
  sampler: TaskSampler;
  judgeCache: Record<string, number>;
  keepLast: number;
  /** The initial model's directory: its tokenizer files are copied so step-N is a loadable HF model. */
  tokenizerDir: string;
}

export function saveTrainerCheckpoint(o: SaveTrainerOptions): string {
  const tensors = new Map<string, Tensor>();
  for (const p of o.model.params.values()) tensors.set(p.name, { shape: p.shape, data: p.data });
  const opt = o.optimizer.exportState();
  const shapeOf = (name: string) => o.model.params.get(name)!.shape;
  const optimizer: OptimizerState = {
    step: opt.step,
    m: new Map([...opt.m].map(([k, data]) => [k, { shape: shapeOf(k), data }])),
    v: new Map([...opt.v].map(([k, data]) => [k, { shape: shapeOf(k), data }])),
  };
  const state: TrainerCheckpointState = {
    step: o.step,
    total_steps: o.totalSteps,
    sampler: o.sampler.exportState(),
    judge_cache: o.judgeCache,
  };
  return saveCheckpoint(
    o.runDir,
    o.step,
    {
      tensors,
      optimizer,
      rng: { trainer: o.rng.getState() },
      state: state as unknown as Record<string, unknown>,
      config: o.model.config,
    },
    { keepLast: o.keepLast, tokenizerDir: o.tokenizerDir },
  );
}

export interface RestoreTargets {
  model: LlamaModel;
  optimizer: AdamW;
  rng: Rng;
  sampler: TaskSampler;
}

/**
 * Loads the newest good checkpoint of a run into the targets; damaged ones are reported through
 * `warn` and skipped. Returns the checkpoint (null when none is usable).
 */
export function restoreTrainerCheckpoint(
  runDir: string,
  targets: RestoreTargets,
  warn: (message: string) => void,
): (LoadedCheckpoint & { trainer: TrainerCheckpointState }) | null {
  const ckpt = loadLatestCheckpoint(runDir, { onWarning: warn });
  if (!ckpt) return null;
  const state = ckpt.state as unknown as TrainerCheckpointState;
  const { model, optimizer, rng, sampler } = targets;
  for (const p of model.params.values()) {
    const t = ckpt.tensors.get(p.name);
    if (!t || t.data.length !== p.data.length)
      throw new Error(`${ckpt.dir}: checkpoint weights do not match the model at ${p.name}`);
    p.data.set(t.data);
  }
  if (!ckpt.optimizer) throw new Error(`${ckpt.dir}: checkpoint has no optimizer state`);
  optimizer.importState({
    step: ckpt.optimizer.step,
    m: new Map([...ckpt.optimizer.m].map(([k, t]) => [k, t.data])),
    v: new Map([...ckpt.optimizer.v].map(([k, t]) => [k, t.data])),
  });
  const rngState = (ckpt.rng as { trainer?: RngState } | null)?.trainer;
  if (!rngState) throw new Error(`${ckpt.dir}: checkpoint has no trainer RNG state`);
  rng.setState(rngState);
  sampler.importState(state.sampler);
  return { ...ckpt, trainer: state };
}
