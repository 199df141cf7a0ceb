// Batched text generation for LlamaModel with a KV cache: prefill every distinct prompt once (repeats,
// like GRPO's G samples of a prompt, copy its cache), then decode one
// position per step for the rows still running. Rows keep their own lengths (no padding), their own
// RoPE positions and their own random stream, so a row's output does not depend on which other rows
// share its batch or when they finish.
import type { Backend } from "../engine/backend.js";
import { Rng } from "../engine/rng.js";
import { CachedDecoder } from "./kv-cache.js";
import type { LlamaModel } from "./llama.js";

export type FinishReason = "stop" | "length" | "eos";

export interface SamplingOptions {
  /** Upper bound on generated tokens per row (the EOS / stop-completing token included). */
  maxNewTokens: number;
  /**
   * Each row's own bound (at most maxNewTokens), for batches of independent requests: a row with a
   * long prompt and little context left then ends at its own budget instead of failing the batch.
   */
  rowMaxNewTokens?: readonly number[];
  /** Softmax temperature. 0 = greedy (argmax). Default 1. */
  temperature?: number;
  /**
   * Rows decoded greedily whatever `temperature` is (true = argmax), e.g. one anchor response per
   * GRPO group. Their `logprobs` are still the temperature-1 log-probs.
   */
  greedyRows?: readonly boolean[];
  /** Keep only the k most likely tokens. 0 or >= vocab = off (default). top-k = 1 is greedy. */
  topK?: number;
  /** Nucleus sampling: keep the smallest set of most likely tokens whose mass reaches p. 1 = off (default). */
  topP?: number;
  /** Stop as soon as the decoded completion contains one of these strings (needs `decode`). */
  stop?: readonly string[];
  /** Stop after generating any of these token ids (the EOS token is kept in `tokens`). */
  eosTokenIds?: readonly number[];
  /** Token ids -> text; used for stop strings and to fill `text`. */
  decode?: (ids: number[]) => string;
  /**
   * Only ids below this can be sampled (default: the model's vocab_size). For models whose embedding
   * table is padded beyond the tokenizer's vocabulary. Log-probs still use the full distribution.
   */
  sampleVocabSize?: number;
  /** Seed of the sampling stream (default 0). Ignored when `rng` is given. */
  seed?: number;
  /** Stream to draw from (advanced by one fork per prompt); overrides `seed`. */
  rng?: Rng;
  /** One stream per prompt, used as-is (overrides `rng` and `seed`): lets callers batch independent requests. */
  rowRngs?: readonly Rng[];
}

export interface Generation {
  /** Generated token ids (the prompt excluded). */
  tokens: number[];
  /**
   * log p(token) under the model's unmodified distribution: log_softmax(logits)[token] at
   * temperature 1, before top-k/top-p. This is the policy log-prob GRPO's ratio needs; a full forward
   * pass over prompt + completion (`model.forward`) reproduces it.
   */
  logprobs: number[];
  /**
   * log_softmax(logits / temperature)[token] (verl's convention for the behaviour policy), before
   * top-k/top-p truncation. Equals `logprobs` when temperature is 0 (greedy) or 1.
   */
  logprobsAtTemperature: number[];
  finishReason: FinishReason;
  /** decode(tokens), cut just before the first stop string; present when `decode` was given. */
  text?: string;
}

/** Samples a completion for every prompt (token ids, each non-empty) in one batch. */
export function generate(
  model: LlamaModel,
  prompts: readonly (readonly number[])[],
  opts: SamplingOptions,
): Generation[] {
  const temperature = opts.temperature ?? 1;
  const V = model.config.vocab_size;
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  const stop = (opts.stop ?? []).filter((s) => s.length > 0);
  const eos = new Set(opts.eosTokenIds ?? []);
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1) {
    throw new Error(`sampling: maxNewTokens must be a positive integer, got ${opts.maxNewTokens}`);
  }
  if (!(temperature >= 0)) throw new Error(`sampling: temperature must be >= 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`sampling: topP must be in (0, 1], got ${topP}`);
  if (!Number.isInteger(topK) || topK < 0)
    throw new Error(`sampling: topK must be an integer >= 0, got ${topK}`);
  if (stop.length > 0 && !opts.decode) throw new Error("sampling: stop strings need a decode function");
  prompts.forEach((p, i) => {
    if (p.length === 0)
      throw new Error(`sampling: prompt ${i} is empty (it needs at least one token, e.g. BOS)`);
  });
  if (prompts.length === 0) return [];
  const budgets = opts.rowMaxNewTokens ? [...opts.rowMaxNewTokens] : prompts.map(() => opts.maxNewTokens);
  if (budgets.length !== prompts.length) {
    throw new Error(`sampling: rowMaxNewTokens has ${budgets.length} entries for ${prompts.length} prompts`);
  }
  budgets.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 1 || b > opts.maxNewTokens)
      throw new Error(`sampling: rowMaxNewTokens[${i}] must be an integer in [1, maxNewTokens], got ${b}`);
  });

  const master = opts.rng ?? new Rng(opts.seed ?? 0);
  if (opts.greedyRows && opts.greedyRows.length !== prompts.length) {
    throw new Error(
      `sampling: greedyRows has ${opts.greedyRows.length} entries for ${prompts.length} prompts`,
    );
  }
  if (opts.rowRngs && opts.rowRngs.length !== prompts.length) {
    throw new Error(`sampling: rowRngs has ${opts.rowRngs.length} streams for ${prompts.length} prompts`);
  }
  const rowRngs = opts.rowRngs ? [...opts.rowRngs] : prompts.map(() => master.fork());
  const limit = opts.sampleVocabSize ?? V;
  if (!Number.isInteger(limit) || limit < 1 || limit > V) {
    throw new Error(`sampling: sampleVocabSize must be an integer in [1, ${V}], got ${limit}`);
  }
  const picker = new TokenPicker(model.backend, V, temperature, topK, topP, limit);
  const longestRow = Math.max(...prompts.map((p, i) => p.length + budgets[i]!));
  const decoder = new CachedDecoder(model, prompts.length, longestRow);
  const out: Generation[] = prompts.map(() => ({
    tokens: [],
    logprobs: [],
    logprobsAtTemperature: [],
    finishReason: "length",
  }));

  let active = prompts.map((_, i) => i);
  let logits = prefillShared(decoder, prompts, V);
  while (active.length > 0) {
    const running: number[] = [];
    const picks = picker.pickRows(
      logits,
      active.map((row) => rowRngs[row]!),
      opts.greedyRows && active.map((row) => opts.greedyRows![row]!),
    );
    active.forEach((row, j) => {
      const g = out[row]!;
      const pick = picks[j]!;
      g.tokens.push(pick.token);
      g.logprobs.push(pick.logprob);
      g.logprobsAtTemperature.push(pick.logprobAtTemperature);
      const finish = finishReason(g, budgets[row]!, eos, stop, opts);
      if (finish) g.finishReason = finish;
      else running.push(row);
    });
    active = running;
    if (active.length > 0) {
      logits = decoder.step(active.map((slot) => ({ slot, tokens: [out[slot]!.tokens.at(-1)!] })));
    }
  }
  if (opts.decode) {
    for (const g of out) g.text = cutAtStop(opts.decode(g.tokens), stop);
  }
  return out;
}

/**
 * Prefills every distinct prompt once (GRPO asks for G samples of each) and copies its cache into
 * the slots of its repeats. Returns the last-position logits (prompts.length, V), one row per slot.
 */
function prefillShared(
  decoder: CachedDecoder,
  prompts: readonly (readonly number[])[],
  V: number,
): Float32Array {
  const firstSlot = new Map<string, number>();
  const source = prompts.map((p, i) => {
    const key = p.join(",");
    const first = firstSlot.get(key);
    if (first !== undefined) return first;
    firstSlot.set(key, i);
    return i;
  });
  const unique = source.flatMap((s, i) => (s === i ? [i] : []));
  const uniqueLogits = decoder.step(unique.map((slot) => ({ slot, tokens: prompts[slot]! })));
  if (unique.length === prompts.length) return uniqueLogits;
  const rowOf = new Map(unique.map((slot, j) => [slot, j]));
  const logits = new Float32Array(prompts.length * V);
  source.forEach((s, i) => {
    if (s !== i) decoder.cache.copySlot(s, i);
    const j = rowOf.get(s)!;
    logits.set(uniqueLogits.subarray(j * V, (j + 1) * V), i * V);
  });
  return logits;
}

/** Why this row is done after its latest token, or null to go on. EOS wins over a stop string. */
function finishReason(
  g: Generation,
  maxNewTokens: number,
  eos: ReadonlySet<number>,
  stop: readonly string[],
  opts: SamplingOptions,
): FinishReason | null {
  if (eos.has(g.tokens.at(-1)!)) return "eos";
  if (stop.length > 0) {
    // an occurrence not seen before must end in the newest token, so scanning the whole text is exact
    const text = opts.decode!(g.tokens);
    if (stop.some((s) => text.includes(s))) return "stop";
  }
  return g.tokens.length >= maxNewTokens ? "length" : null;
}

function cutAtStop(text: string, stop: readonly string[]): string {
  let end = text.length;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}

interface Pick {
  token: number;
  logprob: number;
  logprobAtTemperature: number;
}

/**
 * Chooses the next token of every row of a batch of logits. The softmax runs in the backend (one
 * call per step for all rows: in plain JS the exps of a 4,096-token vocabulary cost more than the
 * model's decode step); the draw, top-k and top-p run here on its probabilities.
 */
export class TokenPicker {
  private probs = new Float32Array(0);
  private readonly order: number[];

  /** Tokens >= `limit` are never picked (but count in the log-prob normalizers). */
  constructor(
    private readonly backend: Backend,
    private readonly V: number,
    private readonly temperature: number,
    private readonly topK: number,
    private readonly topP: number,
    private readonly limit: number = V,
  ) {
    this.order = Array.from({ length: limit }, (_, i) => i);
  }

  /**
   * One pick per row of `logits` (rngs.length, V), row r drawing from rngs[r], or taking the argmax
   * where greedyRows[r] is true.
   */
  pickRows(logits: Float32Array, rngs: readonly Rng[], greedyRows?: readonly boolean[]): Pick[] {
    const { V, limit, backend } = this;
    const R = rngs.length;
    const allGreedy = this.temperature === 0 || this.topK === 1;
    const tau = this.temperature === 0 ? 1 : this.temperature;
    if (this.probs.length < R * V) this.probs = new Float32Array(R * V);
    const probs = this.probs.subarray(0, R * V);
    backend.softmaxForward(probs, logits.subarray(0, R * V), R, V, tau);
    const tokens = new Int32Array(R);
    for (let r = 0; r < R; r++) {
      const o = r * V;
      if (allGreedy || greedyRows?.[r]) {
        let argmax = 0;
        for (let i = 1; i < limit; i++) if (logits[o + i]! > logits[o + argmax]!) argmax = i;
        tokens[r] = argmax;
      } else {
        tokens[r] = this.draw(probs.subarray(o, o + limit), rngs[r]!);
      }
    }
    // log p(token) at temperature 1: read off the softmax when it ran at 1, else one more kernel call
    let logp1: Float32Array | null = null;
    if (tau !== 1) {
      logp1 = new Float32Array(R);
      backend.logprobForward(
        logp1,
        new Float32Array(R),
        new Float32Array(R),
        logits.subarray(0, R * V),
        tokens,
        R,
        V,
      );
    }
    return Array.from(tokens, (token, r) => {
      const atTau = Math.log(probs[r * V + token]!);
      const logprob = logp1 ? logp1[r]! : atTau;
      const greedyRow = this.temperature === 0 || greedyRows?.[r] === true;
      return { token, logprob, logprobAtTemperature: greedyRow ? logprob : atTau };
    });
  }

  /** Draws from one row's probabilities (the pickable ids) after top-k and top-p truncation. */
  private draw(probs: Float32Array, rng: Rng): number {
    const { limit } = this;
    const useK = this.topK > 0 && this.topK < limit;
    if (!useK && this.topP >= 1) {
      let total = 0;
      for (let i = 0; i < limit; i++) total += probs[i]!;
      return drawFrom(probs, limit, total, rng, null);
    }
    const order = this.order;
    for (let i = 0; i < limit; i++) order[i] = i;
    order.sort((a, b) => probs[b]! - probs[a]! || a - b);
    let keep = useK ? this.topK : limit;
    let kept = 0;
    for (let i = 0; i < keep; i++) kept += probs[order[i]!]!;
    if (this.topP < 1) {
      // smallest prefix whose share of the (top-k) mass reaches p; the token that crosses p is kept
      let cum = 0;
      for (let i = 0; i < keep; i++) {
        cum += probs[order[i]!]!;
        if (cum >= this.topP * kept) {
          keep = i + 1;
          kept = cum;
          break;
        }
      }
    }
    return drawFrom(probs, keep, kept, rng, order);
  }
}

/** Inverse-CDF draw over the first `count` entries (in `order`, or index order when null). */
function drawFrom(
  probs: Float32Array,
  count: number,
  mass: number,
  rng: Rng,
  order: number[] | null,
): number {
  const u = rng.next() * mass;
  let cum = 0;
  let last = 0;
  for (let i = 0; i < count; i++) {
    const idx = order ? order[i]! : i;
    if (probs[idx]! === 0) continue;
    last = idx;
    cum += probs[idx]!;
    if (u < cum) return idx;
  }
  return last; // rounding left u just above the summed mass
}
