// Supervised fine-tuning on dataset references: the SFT arm trains on the RL training rows' reference
// answers (extra_info.reference). Each row becomes a chat example (the templated prompt, no loss; the
// reference followed by the end-of-turn token, loss), packed into rows of `seq` tokens exactly as the
// embedded base model's SFT phase packs them. AdamW with warmup + cosine, gradient clipping; the result
// is written as a HF model directory with the start model's tokenizer.

import { type ChatExample, encodeChatExample, packedChatBatches } from "../embedded/train-loop.js";
import { AdamW } from "../engine/adamw.js";
import { learningRateAt } from "../engine/lr-schedule.js";
import { Rng } from "../engine/rng.js";
import { writeHfModelDir } from "../models/hf-model.js";
import { loadPretrained } from "../models/pretrained.js";
import type { Tensor } from "../models/safetensors.js";
import type { Row } from "../tasks/schema.js";

export interface SftOptions {
  /** HF model directory to start from (its tokenizer is copied to `out`). */
  model: string;
  rows: readonly Row[];
  out: string;
  steps: number;
  lr: number;
  warmupSteps: number;
  batch: number;
  /** Tokens per packed row (capped at the model's context). */
  seq: number;
  weightDecay: number;
  gradClip: number;
  seed: number;
  /** Called every `logEvery` steps and at the end. */
  onStep?: (step: number, loss: number) => void;
  logEvery?: number;
}

export interface SftResult {
  out: string;
  examples: number;
  /** Rows without a string extra_info.reference, or too long for `seq`. */
  skipped: number;
  steps: number;
  losses: number[];
  /** Mean loss over the first and the last (up to) 10 steps. */
  firstLoss: number;
  finalLoss: number;
  seconds: number;
}

/** The reference answer of a row (extra_info.reference), or null when it has none. */
export function referenceOf(row: Row): string | null {
  const ref = (row.extra_info as Record<string, unknown> | undefined)?.reference;
  return typeof ref === "string" && ref.length > 0 ? ref : null;
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function sftOnReferences(o: SftOptions): SftResult {
  const started = performance.now();
  const policy = loadPretrained(o.model);
  const { model, tokenizer } = policy;
  const T = Math.min(o.seq, model.config.max_position_embeddings);
  const examples: ChatExample[] = [];
  let skipped = 0;
  for (const row of o.rows) {
    const ref = referenceOf(row);
    const ex = ref === null ? null : encodeChatExample(tokenizer, row.prompt, ref);
    if (!ex || ex.prompt.length + ex.reply.length > T) skipped++;
    else examples.push(ex);
  }
  if (examples.length === 0) throw new Error(`sft: no row has a reference that fits in ${T} tokens`);
  const padId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
  const next = packedChatBatches(examples, o.batch, T, padId, new Rng(o.seed));
  const optimizer = new AdamW(model.params, model.backend, {
    beta1: 0.9,
    beta2: 0.95,
    weightDecay: o.weightDecay,
  });
  const losses: number[] = [];
  for (let step = 1; step <= o.steps; step++) {
    const batch = next();
    const lr = learningRateAt(step, {
      lr: o.lr,
      warmupSteps: o.warmupSteps,
      totalSteps: o.steps,
      minLr: o.lr / 10,
    });
    model.zeroGrad();
    losses.push(model.trainStepLoss(batch.tokens, batch.targets, o.batch, T));
    optimizer.update(lr, o.gradClip);
    if (o.onStep && (step % (o.logEvery ?? 10) === 0 || step === o.steps)) o.onStep(step, losses.at(-1)!);
  }
  const tensors = new Map<string, Tensor>();
  for (const p of model.params.values()) tensors.set(p.name, { shape: p.shape, data: p.data });
  writeHfModelDir(o.out, model.config, tensors, { tokenizerDir: o.model });
  return {
    out: o.out,
    examples: examples.length,
    skipped,
    steps: o.steps,
    losses,
    firstLoss: meanOf(losses.slice(0, 10)),
    finalLoss: meanOf(losses.slice(-10)),
    seconds: (performance.now() - started) / 1000,
  };
}
