// The training loop shared by the embedded models' recipes: batches of (tokens, targets) -> masked
// cross-entropy -> AdamW, with warmup + cosine learning rate, a progress bar and a loss log.
// Also the two batch makers: random windows of a pretraining token stream, and packed chat examples
// whose loss covers only the assistant's tokens.
import { AdamW } from "../engine/adamw.js";
import type { Backend } from "../engine/backend.js";
import { learningRateAt } from "../engine/lr-schedule.js";
import type { Rng } from "../engine/rng.js";
import type { ChatMessage } from "../models/chat-template.js";
import type { LlamaModel, PackedLayout } from "../models/llama.js";
import type { TextTokenizer } from "../models/tokenizer.js";
import { formatDuration, Progress } from "../util/progress.js";

export interface Batch {
  tokens: Int32Array; // (B,T)
  targets: Int32Array; // (B,T), -1 = no loss
  /** (B,T) per-position loss weights; absent = every target weighs 1. */
  weights?: Float32Array;
  /** Positions and attention holes when each packed example must see only itself. */
  layout?: PackedLayout;
}

export interface PhaseOptions {
  name: string;
  steps: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  B: number;
  T: number;
  weightDecay: number;
  maxGradNorm: number;
}

export interface PhaseLog {
  name: string;
  steps: number;
  seconds: number;
  tokens: number;
  /** Loss of every step. */
  losses: number[];
  /** Mean loss over the first and last (up to) 20 steps. */
  firstLoss: number;
  finalLoss: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Runs one phase of `steps` optimizer steps, drawing batches from `next`. */
export function trainPhase(
  model: LlamaModel,
  backend: Backend,
  next: () => Batch,
  o: PhaseOptions,
  log: (line: string) => void,
): PhaseLog {
  const optimizer = new AdamW(model.params, backend, { beta1: 0.9, beta2: 0.95, weightDecay: o.weightDecay });
  const progress = new Progress({ label: o.name, total: o.steps });
  const losses: number[] = [];
  const start = performance.now();
  let lossTokens = 0;
  for (let step = 1; step <= o.steps; step++) {
    const batch = next();
    const lr = learningRateAt(step, {
      lr: o.lr,
      warmupSteps: o.warmupSteps,
      totalSteps: o.steps,
      minLr: o.minLr,
    });
    model.zeroGrad();
    const loss = model.trainStepLoss(batch.tokens, batch.targets, o.B, o.T, batch.weights, batch.layout);
    optimizer.update(lr, o.maxGradNorm);
    losses.push(loss);
    for (const t of batch.targets) if (t >= 0) lossTokens++;
    const elapsed = (performance.now() - start) / 1000;
    const tokS = (step * o.B * o.T) / elapsed;
    progress.set(
      step,
      `loss ${mean(losses.slice(-20)).toFixed(3)} lr ${lr.toExponential(1)} ${Math.round(tokS)} tok/s`,
    );
  }
  progress.finish();
  const seconds = (performance.now() - start) / 1000;
  const result: PhaseLog = {
    name: o.name,
    steps: o.steps,
    seconds,
    tokens: o.steps * o.B * o.T,
    losses,
    firstLoss: mean(losses.slice(0, 20)),
    finalLoss: mean(losses.slice(-20)),
  };
  log(
    `${o.name}: ${o.steps} steps (${result.tokens} tokens, ${lossTokens} with loss) in ${formatDuration(seconds)}: ` +
      `loss ${result.firstLoss.toFixed(3)} (first 20 steps) -> ${result.finalLoss.toFixed(3)} (last 20)`,
  );
  return result;
}

/** Random windows of one long token stream (next-token prediction everywhere). */
export function streamBatches(stream: Int32Array, B: number, T: number, rng: Rng): () => Batch {
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  return () => {
    for (let b = 0; b < B; b++) {
      const at = rng.int(stream.length - T - 1);
      tokens.set(stream.subarray(at, at + T), b * T);
      targets.set(stream.subarray(at + 1, at + T + 1), b * T);
    }
    return { tokens, targets };
  };
}

/** A chat example as token ids: the templated prompt (no loss) and the assistant reply (loss). */
export interface ChatExample {
  prompt: number[];
  reply: number[];
  /** Loss weight of each reply token (default 1 each). */
  replyWeights?: number[];
}

/**
 * Encodes [user, assistant] the way generation sees it: the prompt rendered with the generation prompt
 * and encoded on its own, then the reply followed by the end-of-turn token and a newline.
 */
export function encodeChatExample(
  tokenizer: TextTokenizer,
  messages: ChatMessage[],
  reply: string,
): ChatExample {
  const promptText = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
  const prompt = tokenizer.encode(promptText, { addSpecialTokens: false });
  const replyIds = tokenizer.encode(`${reply}<|im_end|>`, { addSpecialTokens: false });
  return { prompt, reply: replyIds };
}

/**
 * Packs examples into rows of T tokens (examples that do not fit start a new row; the rest is padding),
 * in a fresh seeded order each epoch. Targets are the next token at reply positions only; batches carry
 * loss weights when any example has `replyWeights`. With `isolate`, every example sees only itself, as
 * it would alone at inference: RoPE positions restart at 0 and the earlier examples of its row are an
 * attention hole. Without it an example attends to the ones packed before it. With `groupSize` k,
 * each run of k consecutive examples is shuffled as one unit and packed back to back (a judge pair and
 * its swap land in the same batch); a group with an example too long for a row is left out whole.
 * With `fill` n > 0, a row whose next example does not fit looks at up to n more examples for one that
 * does; those it passes over wait, in order, and start the rows after it. Examples of 180-270 tokens in
 * rows of 448 then pack two to a row instead of one (the judge's examples; without `fill` a row holds
 * whatever fits of the strict order, mostly one).
 */
export function packedChatBatches(
  examples: readonly ChatExample[],
  B: number,
  T: number,
  padId: number,
  rng: Rng,
  opts: { isolate?: boolean; groupSize?: number; fill?: number } = {},
): () => Batch {
  const k = opts.groupSize ?? 1;
  const lookahead = opts.fill ?? 0;
  if (!(Number.isInteger(lookahead) && lookahead >= 0))
    throw new Error(`packedChatBatches: fill ${lookahead}`);
  if (lookahead > 0 && k > 1) throw new Error("packedChatBatches: fill packs single examples (groupSize 1)");
  if (!(Number.isInteger(k) && k >= 1 && examples.length % k === 0)) {
    throw new Error(`packedChatBatches: groupSize ${k} must divide the ${examples.length} examples`);
  }
  const fits = (e: ChatExample) => e.prompt.length + e.reply.length <= T;
  const groups: ChatExample[][] = [];
  for (let i = 0; i < examples.length; i += k) {
    const group = examples.slice(i, i + k);
    if (group.every(fits)) groups.push(group);
  }
  if (groups.length === 0) throw new Error(`no chat example fits in ${T} tokens`);
  let order: ChatExample[] = [];
  let at = 0;
  const nextExample = (): ChatExample => {
    if (at >= order.length) {
      order = rng.shuffle(groups.map((_, i) => i)).flatMap((g) => groups[g]!);
      at = 0;
    }
    return order[at++]!;
  };
  // examples drawn but not yet placed, oldest first
  const waiting: ChatExample[] = [];
  /** The oldest waiting or next drawn example of at most `room` tokens, within the lookahead; else none. */
  const takeFitting = (room: number, first: boolean): ChatExample | undefined => {
    const limit = first ? 1 : 1 + lookahead;
    for (let i = 0; i < limit; i++) {
      if (i >= waiting.length) waiting.push(nextExample());
      const ex = waiting[i]!;
      if (ex.prompt.length + ex.reply.length <= room) return waiting.splice(i, 1)[0];
    }
    return undefined;
  };
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const weights = examples.some((e) => e.replyWeights) ? new Float32Array(B * T) : undefined;
  const layout = opts.isolate
    ? { positions: new Int32Array(B * T), holes: new Int32Array(2 * B * T) }
    : undefined;
  return () => {
    tokens.fill(padId);
    targets.fill(-1);
    weights?.fill(0);
    for (let b = 0; b < B; b++) {
      let t = 0;
      for (;;) {
        const ex = takeFitting(T - t, t === 0);
        if (!ex) break;
        const seq = [...ex.prompt, ...ex.reply];
        for (let i = 0; i < seq.length; i++) {
          tokens[b * T + t + i] = seq[i]!;
          if (layout) {
            layout.positions[b * T + t + i] = i;
            layout.holes[2 * (b * T + t + i)] = 0; // columns [0, t) hold the row's earlier examples
            layout.holes[2 * (b * T + t + i) + 1] = t;
          }
          // the position before each reply token predicts it
          if (i >= ex.prompt.length - 1 && i + 1 < seq.length) {
            targets[b * T + t + i] = seq[i + 1]!;
            if (weights) weights[b * T + t + i] = ex.replyWeights?.[i + 1 - ex.prompt.length] ?? 1;
          }
        }
        t += seq.length;
      }
      if (layout) {
        // padding: its own segment, no loss
        for (let i = t; i < T; i++) {
          layout.positions[b * T + i] = i - t;
          layout.holes[2 * (b * T + i)] = 0;
          layout.holes[2 * (b * T + i) + 1] = t;
        }
      }
    }
    return { tokens, targets, weights, layout };
  };
}

/**
 * Interleaves two batch sources: of every step, a `share` of them (spread evenly, e.g. every third step
 * for 1/3) come from `other`, the rest from `main`.
 */
export function interleavedBatches(main: () => Batch, other: () => Batch, share: number): () => Batch {
  let step = 0;
  return () => {
    step++;
    return Math.floor(step * share) > Math.floor((step - 1) * share) ? other() : main();
  };
}

/** Runs batch sources one after another: `steps` batches from each stage, the last one for ever after. */
export function stagedBatches(stages: readonly { steps: number; next: () => Batch }[]): () => Batch {
  if (stages.length === 0) throw new Error("stagedBatches: no stages");
  let stage = 0;
  let taken = 0;
  return () => {
    while (stage < stages.length - 1 && taken >= stages[stage]!.steps) {
      stage++;
      taken = 0;
    }
    taken++;
    return stages[stage]!.next();
  };
}
