// Incremental (KV-cached) inference for LlamaModel: the keys and values of every position already
// seen are kept per layer, so each decode step only computes the new positions.
//
// Rows ("slots") are independent sequences of different lengths. A call feeds each chosen slot a
// chunk of new tokens (a whole prompt at prefill, one token per decode step); the chunks are packed
// back to back (no padding), so the projections and the MLP run as one batched GEMM over all new
// tokens, while attention runs per slot over that slot's own cache. Each token's RoPE position is
// its slot's cached length plus its index in the chunk, so rows of different lengths are exact.
import type { Backend } from "../engine/backend.js";
import { ropeTable } from "../engine/backend.js";
import type { LlamaConfig } from "./config.js";
import type { LayerWeights, LlamaModel } from "./llama.js";

/** Per-layer key/value memory for `slots` sequences of up to `maxLen` positions each. */
export class KvCache {
  /** Per layer: keys (slots, maxLen, KV, D), after RoPE. */
  readonly keys: Float32Array[];
  /** Per layer: values (slots, maxLen, KV, D). */
  readonly values: Float32Array[];
  /** Positions filled so far, per slot. */
  readonly lengths: Int32Array;

  constructor(
    config: LlamaConfig,
    readonly slots: number,
    readonly maxLen: number,
  ) {
    const size = slots * maxLen * config.num_key_value_heads * config.head_dim;
    this.keys = Array.from({ length: config.num_hidden_layers }, () => new Float32Array(size));
    this.values = Array.from({ length: config.num_hidden_layers }, () => new Float32Array(size));
    this.lengths = new Int32Array(slots);
  }
}

type Scratch = Record<"x" | "h" | "q" | "k" | "v" | "y" | "o" | "gate" | "up" | "act", Float32Array>;

/** New tokens for one slot; they are appended after the slot's cached positions. */
export interface Chunk {
  slot: number;
  tokens: ArrayLike<number>;
}

/**
 * Runs chunks of new tokens through a model, reading and extending a KvCache. The model's weights are
 * read live (views), so in-place optimizer updates are seen by the next step.
 */
export class CachedDecoder {
  readonly cache: KvCache;
  private readonly backend: Backend;
  private readonly config: LlamaConfig;
  private readonly layers: LayerWeights[];
  private readonly embedding: Float32Array;
  private readonly finalNorm: Float32Array;
  private readonly head: Float32Array;
  private readonly cos: Float32Array;
  private readonly sin: Float32Array;
  // scratch buffers, grown on demand and reused across calls
  private capacity = 0;
  private buffers: Scratch | null = null;
  private rstdBuffer = new Float32Array(0);
  private rstd = new Float32Array(0);
  private att = new Float32Array(0);

  constructor(model: LlamaModel, slots: number, maxLen: number) {
    const c = model.config;
    if (maxLen > c.max_position_embeddings) {
      throw new Error(
        `KV cache: ${maxLen} positions exceed the model's max_position_embeddings (${c.max_position_embeddings})`,
      );
    }
    this.backend = model.backend;
    this.config = c;
    this.cache = new KvCache(c, slots, maxLen);
    this.layers = Array.from({ length: c.num_hidden_layers }, (_, i) => model.layer(i));
    this.embedding = paramData(model, "model.embed_tokens.weight");
    this.finalNorm = paramData(model, "model.norm.weight");
    this.head = c.tie_word_embeddings ? this.embedding : paramData(model, "lm_head.weight");
    ({ cos: this.cos, sin: this.sin } = ropeTable(maxLen, c.head_dim, c.rope_theta));
  }

  /**
   * Appends each chunk's tokens to its slot and returns the logits (chunks.length, V) of each chunk's
   * LAST token, in chunk order. Every chunk must be non-empty and fit in the cache.
   */
  step(chunks: readonly Chunk[]): Float32Array {
    const c = this.config;
    const be = this.backend;
    const { cache } = this;
    const C = c.hidden_size;
    const H = c.num_attention_heads;
    const KV = c.num_key_value_heads;
    const D = c.head_dim;
    const F = c.intermediate_size;
    const V = c.vocab_size;

    // pack the chunks: token ids, absolute positions, and where each chunk starts
    let N = 0;
    let longest = 0;
    for (const ch of chunks) {
      const len = cache.lengths[ch.slot];
      if (len === undefined) throw new Error(`KV cache: slot ${ch.slot} out of range (${cache.slots} slots)`);
      if (ch.tokens.length === 0) throw new Error(`KV cache: empty chunk for slot ${ch.slot}`);
      if (len + ch.tokens.length > cache.maxLen) {
        throw new Error(
          `KV cache: slot ${ch.slot} would hold ${len + ch.tokens.length} > ${cache.maxLen} positions`,
        );
      }
      N += ch.tokens.length;
      longest = Math.max(longest, ch.tokens.length);
    }
    const tokens = new Int32Array(N);
    const positions = new Int32Array(N);
    const starts: number[] = [];
    let n = 0;
    for (const ch of chunks) {
      starts.push(n);
      const len = cache.lengths[ch.slot]!;
      for (let i = 0; i < ch.tokens.length; i++, n++) {
        const id = ch.tokens[i]!;
        if (!Number.isInteger(id) || id < 0 || id >= V)
          throw new Error(`KV cache: token id ${id} not in [0, ${V})`);
        tokens[n] = id;
        positions[n] = len + i;
      }
    }
    const b = this.scratch(N, longest);

    be.embeddingForward(b.x, tokens, this.embedding, N, C);
    for (let l = 0; l < this.layers.length; l++) {
      const w = this.layers[l]!;
      be.rmsnormForward(b.h, this.rstd, b.x, w.inputNorm, N, C, c.rms_norm_eps);
      be.matmulForward(b.q, b.h, w.q, w.qBias, N, C, H * D);
      be.matmulForward(b.k, b.h, w.k, w.kBias, N, C, KV * D);
      be.matmulForward(b.v, b.h, w.v, w.vBias, N, C, KV * D);
      be.ropeForward(b.q, this.cos, this.sin, positions, N, H, D);
      be.ropeForward(b.k, this.cos, this.sin, positions, N, KV, D);
      const kc = cache.keys[l]!;
      const vc = cache.values[l]!;
      for (let i = 0; i < chunks.length; i++) {
        const ch = chunks[i]!;
        const Tq = ch.tokens.length;
        const past = cache.lengths[ch.slot]!;
        const Tk = past + Tq;
        const row = ch.slot * cache.maxLen * KV * D;
        const s = starts[i]!;
        // append this chunk's keys/values to its slot, then attend over the slot's [0, Tk)
        kc.set(b.k.subarray(s * KV * D, (s + Tq) * KV * D), row + past * KV * D);
        vc.set(b.v.subarray(s * KV * D, (s + Tq) * KV * D), row + past * KV * D);
        be.attentionForward(
          b.y.subarray(s * H * D, (s + Tq) * H * D),
          this.att.subarray(0, H * Tq * Tk),
          b.q.subarray(s * H * D, (s + Tq) * H * D),
          kc.subarray(row, row + Tk * KV * D),
          vc.subarray(row, row + Tk * KV * D),
          1,
          Tq,
          Tk,
          H,
          KV,
          D,
          past,
        );
      }
      be.matmulForward(b.o, b.y, w.o, w.oBias, N, H * D, C);
      be.add(b.x, b.x, b.o, N * C);
      be.rmsnormForward(b.h, this.rstd, b.x, w.postNorm, N, C, c.rms_norm_eps);
      be.matmulForward(b.gate, b.h, w.gate, null, N, C, F);
      be.matmulForward(b.up, b.h, w.up, null, N, C, F);
      be.swigluForward(b.act, b.gate, b.up, N * F);
      be.matmulForward(b.o, b.act, w.down, null, N, F, C);
      be.add(b.x, b.x, b.o, N * C);
    }
    for (const ch of chunks) cache.lengths[ch.slot]! += ch.tokens.length;

    // only each chunk's last position needs logits: gather, norm, project
    const R = chunks.length;
    const last = new Float32Array(R * C);
    for (let i = 0; i < R; i++) {
      const t = starts[i]! + chunks[i]!.tokens.length - 1;
      last.set(b.x.subarray(t * C, (t + 1) * C), i * C);
    }
    const normed = b.h.subarray(0, R * C);
    be.rmsnormForward(normed, this.rstd.subarray(0, R), last, this.finalNorm, R, C, c.rms_norm_eps);
    const logits = new Float32Array(R * V);
    be.matmulForward(logits, normed, this.head, null, R, C, V);
    return logits;
  }

  /** Forgets every slot's contents (the buffers are kept). */
  reset(): void {
    this.cache.lengths.fill(0);
  }

  /** Scratch views of exactly N rows (the kernels check lengths), backed by buffers reused across calls. */
  private scratch(N: number, longestChunk: number): Scratch {
    const c = this.config;
    const H = c.num_attention_heads;
    const sizes = {
      x: c.hidden_size,
      h: c.hidden_size,
      q: H * c.head_dim,
      k: c.num_key_value_heads * c.head_dim,
      v: c.num_key_value_heads * c.head_dim,
      y: H * c.head_dim,
      o: c.hidden_size,
      gate: c.intermediate_size,
      up: c.intermediate_size,
      act: c.intermediate_size,
    };
    if (N > this.capacity || !this.buffers) {
      this.capacity = N;
      this.buffers = Object.fromEntries(
        Object.entries(sizes).map(([k, width]) => [k, new Float32Array(N * width)]),
      ) as Scratch;
      this.rstdBuffer = new Float32Array(N);
    }
    const attSize = H * longestChunk * this.cache.maxLen;
    if (this.att.length < attSize) this.att = new Float32Array(attSize);
    const buffers = this.buffers;
    this.rstd = this.rstdBuffer.subarray(0, N);
    return Object.fromEntries(
      Object.entries(sizes).map(([k, width]) => [k, buffers[k as keyof Scratch].subarray(0, N * width)]),
    ) as Scratch;
  }
}

function paramData(model: LlamaModel, name: string): Float32Array {
  const p = model.params.get(name);
  if (!p) throw new Error(`model has no parameter "${name}"`);
  return p.data;
}
