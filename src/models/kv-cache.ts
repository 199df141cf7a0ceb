// Incremental (KV-cached) inference for LlamaModel: the keys and values of every position already
// seen are kept per layer, so each decode step only computes the new positions.
//
// Rows ("slots") are independent sequences of different lengths. A call feeds each chosen slot a
// chunk of new tokens (a whole prompt at prefill, one token per decode step); the chunks are packed
// back to back (no padding), so the projections and the MLP run as one batched GEMM over all new
// tokens, while attention reads each slot's own cache: one attentionCached call for all short chunks
// (decode steps), one blocked-GEMM attentionForward per long chunk (long prompts). Each token's RoPE
// position is its slot's cached length plus its index in the chunk, so rows of different lengths are
// exact.
//
// The decoder keeps a packed copy of every weight matrix (packLinearWeight), made when it is
// constructed: with few rows per call (decode steps), matmulForwardPacked reads those in place, where
// the BLAS would repack the whole weight on every call. So a decoder must not outlive a weight update;
// generate() builds a fresh one per call. Models too big to copy cheaply (PACK_MAX_FLOATS) skip it.
import type { Backend } from "../engine/backend.js";
import { packedLinearSize, ropeTable } from "../engine/backend.js";
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

  /** Makes slot `to` a copy of slot `from` (its cached positions in every layer, and its length). */
  copySlot(from: number, to: number): void {
    if (from < 0 || from >= this.slots || to < 0 || to >= this.slots)
      throw new Error(`KV cache: copySlot(${from}, ${to}) out of range (${this.slots} slots)`);
    const row = this.keys.length > 0 ? this.keys[0]!.length / this.slots : 0; // maxLen * KV * D
    const used = (row / this.maxLen) * this.lengths[from]!;
    for (const layer of [...this.keys, ...this.values])
      layer.copyWithin(to * row, from * row, from * row + used);
    this.lengths[to] = this.lengths[from]!;
  }
}

/**
 * Chunks of at least this many new tokens (long prefills) attend with attentionForward, one call per
 * chunk, whose blocked GEMMs reuse each key across query rows; shorter ones (decode steps, short
 * prompts) go together through one attentionCached call. Measured crossover (4 heads, D = 64, 32
 * prompts): 32 tokens about even, 64 tokens 15% faster and 256 tokens 2x faster with the GEMMs.
 */
const GEMM_ATTENTION_MIN_TOKENS = 48;

/**
 * Calls with 2 to 64 new tokens (decode steps of a batch, short prefills) multiply by the packed
 * weights (matmulForwardPacked); a single row (OpenBLAS's GEMV is faster) and bigger calls (long
 * prefills, where the GEMM's own packing pays off) by the originals. Measured by bench/decode-gemm.ts:
 * at 8 rows the packed path is 1.4-2.5x faster, at 32 rows 1.0-1.6x, at 64 rows 0.75-1.2x. The
 * built-in GEMM has no GEMV path (it would repack the whole weight for one row), so without OpenBLAS
 * a single row takes the packed weights too.
 */
const usePackedGemm = (rows: number, minRows: number) => rows >= minRows && rows <= 64;

/** Above this many weight floats (256 MB) the decoder does not copy the weights and uses the BLAS. */
const PACK_MAX_FLOATS = 64 * 1024 * 1024;

/** A layer's weight matrices packed by packLinearWeight. */
type PackedWeights = Record<"q" | "k" | "v" | "o" | "gate" | "up" | "down", Float32Array>;

type Scratch = Record<"x" | "h" | "q" | "k" | "v" | "y" | "o" | "gate" | "up" | "act", Float32Array>;

/** New tokens for one slot; they are appended after the slot's cached positions. */
export interface Chunk {
  slot: number;
  tokens: ArrayLike<number>;
}

/**
 * Runs chunks of new tokens through a model, reading and extending a KvCache. Long calls read the
 * model's weights; short ones their packed copies, made at construction (see above).
 */
export class CachedDecoder {
  readonly cache: KvCache;
  private readonly backend: Backend;
  private readonly config: LlamaConfig;
  private readonly layers: LayerWeights[];
  private readonly embedding: Float32Array;
  private readonly finalNorm: Float32Array;
  private readonly head: Float32Array;
  /** Packed weight copies, or null when the model is too big to copy (PACK_MAX_FLOATS). */
  private readonly packedLayers: PackedWeights[] | null;
  private readonly packedHead: Float32Array | null;
  /** 2 with OpenBLAS (its GEMV takes one row), else 1 (see usePackedGemm). */
  private readonly minPackedRows: number;
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
    this.minPackedRows = this.backend.info().gemm === "openblas" ? 2 : 1;
    this.config = c;
    this.cache = new KvCache(c, slots, maxLen);
    this.layers = Array.from({ length: c.num_hidden_layers }, (_, i) => model.layer(i));
    this.embedding = paramData(model, "model.embed_tokens.weight");
    this.finalNorm = paramData(model, "model.norm.weight");
    this.head = c.tie_word_embeddings ? this.embedding : paramData(model, "lm_head.weight");
    const H = c.num_attention_heads * c.head_dim;
    const KV = c.num_key_value_heads * c.head_dim;
    const C = c.hidden_size;
    const F = c.intermediate_size;
    const pack = (w: Float32Array, OC: number, IC: number) => {
      const out = new Float32Array(packedLinearSize(IC, OC));
      this.backend.packLinearWeight(out, w, OC, IC);
      return out;
    };
    const floats = c.num_hidden_layers * (2 * C * H + 2 * C * KV + 3 * C * F) + c.vocab_size * C;
    const copy = floats <= PACK_MAX_FLOATS;
    this.packedLayers = copy
      ? this.layers.map((w) => ({
          q: pack(w.q, H, C),
          k: pack(w.k, KV, C),
          v: pack(w.v, KV, C),
          o: pack(w.o, C, H),
          gate: pack(w.gate, F, C),
          up: pack(w.up, F, C),
          down: pack(w.down, C, F),
        }))
      : null;
    this.packedHead = copy ? pack(this.head, c.vocab_size, C) : null;
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
    // per chunk (Int32Array, for attentionCached): slot, first packed row, length, cached length before
    const R = chunks.length;
    const slots = new Int32Array(R);
    const starts = new Int32Array(R);
    const counts = new Int32Array(R);
    const pasts = new Int32Array(R);
    const tokens = new Int32Array(N);
    const positions = new Int32Array(N);
    let n = 0;
    for (let r = 0; r < R; r++) {
      const ch = chunks[r]!;
      const len = cache.lengths[ch.slot]!;
      slots[r] = ch.slot;
      starts[r] = n;
      counts[r] = ch.tokens.length;
      pasts[r] = len;
      for (let i = 0; i < ch.tokens.length; i++, n++) {
        const id = ch.tokens[i]!;
        if (!Number.isInteger(id) || id < 0 || id >= V)
          throw new Error(`KV cache: token id ${id} not in [0, ${V})`);
        tokens[n] = id;
        positions[n] = len + i;
      }
    }
    // long chunks: one attentionForward each; the rest: one attentionCached call over their table
    const long: number[] = [];
    for (let r = 0; r < R; r++) if (counts[r]! >= GEMM_ATTENTION_MIN_TOKENS) long.push(r);
    const pick = (a: Int32Array) =>
      long.length === 0 ? a : a.filter((_, r) => counts[r]! < GEMM_ATTENTION_MIN_TOKENS);
    const short = { slot: pick(slots), start: pick(starts), count: pick(counts), past: pick(pasts) };
    const b = this.scratch(N, long.length > 0 ? longest : 0);

    // out (N, OC) = inp (N, IC) @ W^T + bias, with W (OC, IC) or its packed copy
    const packed = usePackedGemm(N, this.minPackedRows) ? this.packedLayers : null;
    const linear = (
      out: Float32Array,
      inp: Float32Array,
      l: number,
      name: keyof PackedWeights,
      bias: Float32Array | null,
      IC: number,
      OC: number,
    ) =>
      packed
        ? be.matmulForwardPacked(out, inp, packed[l]![name], bias, N, IC, OC)
        : be.matmulForward(out, inp, this.layers[l]![name], bias, N, IC, OC);

    be.embeddingForward(b.x, tokens, this.embedding, N, C);
    for (let l = 0; l < this.layers.length; l++) {
      const w = this.layers[l]!;
      be.rmsnormForward(b.h, this.rstd, b.x, w.inputNorm, N, C, c.rms_norm_eps);
      linear(b.q, b.h, l, "q", w.qBias, C, H * D);
      linear(b.k, b.h, l, "k", w.kBias, C, KV * D);
      linear(b.v, b.h, l, "v", w.vBias, C, KV * D);
      be.ropeForward(b.q, this.cos, this.sin, positions, N, H, D);
      be.ropeForward(b.k, this.cos, this.sin, positions, N, KV, D);
      const kc = cache.keys[l]!;
      const vc = cache.values[l]!;
      // append each chunk's keys/values to its slot, then attend over every slot's [0, past + Tq)
      for (let i = 0; i < R; i++) {
        const at = (slots[i]! * cache.maxLen + pasts[i]!) * KV * D;
        const from = starts[i]! * KV * D;
        const to = (starts[i]! + counts[i]!) * KV * D;
        kc.set(b.k.subarray(from, to), at);
        vc.set(b.v.subarray(from, to), at);
      }
      for (const i of long) {
        const Tq = counts[i]!;
        const past = pasts[i]!;
        const Tk = past + Tq;
        const row = slots[i]! * cache.maxLen * KV * D;
        const s = starts[i]!;
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
      if (short.count.length > 0) {
        be.attentionCached(
          b.y,
          b.q,
          kc,
          vc,
          short.slot,
          short.start,
          short.count,
          short.past,
          short.count.length,
          N,
          H,
          KV,
          D,
          cache.slots,
          cache.maxLen,
        );
      }
      linear(b.o, b.y, l, "o", w.oBias, H * D, C);
      be.add(b.x, b.x, b.o, N * C);
      be.rmsnormForward(b.h, this.rstd, b.x, w.postNorm, N, C, c.rms_norm_eps);
      linear(b.gate, b.h, l, "gate", null, C, F);
      linear(b.up, b.h, l, "up", null, C, F);
      be.swigluForward(b.act, b.gate, b.up, N * F);
      linear(b.o, b.act, l, "down", null, F, C);
      be.add(b.x, b.x, b.o, N * C);
    }
    for (const ch of chunks) cache.lengths[ch.slot]! += ch.tokens.length;

    // only each chunk's last position needs logits: gather, norm, project
    const last = new Float32Array(R * C);
    for (let i = 0; i < R; i++) {
      const t = starts[i]! + counts[i]! - 1;
      last.set(b.x.subarray(t * C, (t + 1) * C), i * C);
    }
    const normed = b.h.subarray(0, R * C);
    be.rmsnormForward(normed, this.rstd.subarray(0, R), last, this.finalNorm, R, C, c.rms_norm_eps);
    const logits = new Float32Array(R * V);
    if (usePackedGemm(R, this.minPackedRows) && this.packedHead)
      be.matmulForwardPacked(logits, normed, this.packedHead, null, R, C, V);
    else be.matmulForward(logits, normed, this.head, null, R, C, V);
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
