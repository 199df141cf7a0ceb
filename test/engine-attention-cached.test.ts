// attentionCached (one batched attention call per KV-cache decode/prefill step): native and reference
// agree, both equal attentionForward applied chunk by chunk, and the addon rejects bad chunk tables;
// CachedDecoder steps mixing short chunks (attentionCached) and long ones (per-chunk GEMM attention)
// give the logits of a full forward pass.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend } from "../src/engine/backend.js";
import { findAddon, NativeBackend } from "../src/engine/native.js";
import { ReferenceBackend } from "../src/engine/reference.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { CachedDecoder } from "../src/models/kv-cache.js";
import { LlamaModel } from "../src/models/llama.js";
import { maxRelDiff, randomArray } from "./helpers/gradcheck.js";

const skip = findAddon() ? false : "native addon not built (npm ci builds it)";

function close(label: string, got: Float32Array, want: Float32Array, tol = 2e-5): void {
  const d = maxRelDiff(got, want);
  assert.ok(d <= tol, `${label}: max relative difference ${d.toExponential(3)} > ${tol}`);
}

interface Case {
  H: number;
  KV: number;
  D: number;
  slots: number;
  maxLen: number;
  chunks: { slot: number; count: number; past: number }[];
}

/** Random q and caches for a case, the packed chunk table, and N (total new tokens). */
function setup(rng: Rng, c: Case) {
  const R = c.chunks.length;
  const slot = Int32Array.from(c.chunks, (ch) => ch.slot);
  const count = Int32Array.from(c.chunks, (ch) => ch.count);
  const past = Int32Array.from(c.chunks, (ch) => ch.past);
  const start = new Int32Array(R);
  let N = 0;
  for (let i = 0; i < R; i++) {
    start[i] = N;
    N += count[i]!;
  }
  const cacheSize = c.slots * c.maxLen * c.KV * c.D;
  return {
    R,
    N,
    slot,
    start,
    count,
    past,
    q: randomArray(rng, N * c.H * c.D),
    kc: randomArray(rng, cacheSize),
    vc: randomArray(rng, cacheSize),
  };
}

type Setup = ReturnType<typeof setup>;

function cached(be: Backend, c: Case, s: Setup): Float32Array {
  const out = new Float32Array(s.N * c.H * c.D).fill(Number.NaN); // every row must be written
  be.attentionCached(
    out,
    s.q,
    s.kc,
    s.vc,
    s.slot,
    s.start,
    s.count,
    s.past,
    s.R,
    s.N,
    c.H,
    c.KV,
    c.D,
    c.slots,
    c.maxLen,
  );
  return out;
}

/** The same step as one attentionForward per chunk over the slot's [0, past + count) positions. */
function perChunk(be: Backend, c: Case, s: Setup): Float32Array {
  const { H, KV, D, maxLen } = c;
  const out = new Float32Array(s.N * H * D);
  for (let i = 0; i < s.R; i++) {
    const Tq = s.count[i]!;
    const Tk = s.past[i]! + Tq;
    const row = s.slot[i]! * maxLen * KV * D;
    const q0 = s.start[i]! * H * D;
    be.attentionForward(
      out.subarray(q0, q0 + Tq * H * D),
      new Float32Array(H * Tq * Tk),
      s.q.subarray(q0, q0 + Tq * H * D),
      s.kc.subarray(row, row + Tk * KV * D),
      s.vc.subarray(row, row + Tk * KV * D),
      1,
      Tq,
      Tk,
      H,
      KV,
      D,
      s.past[i]!,
    );
  }
  return out;
}

const cases: [string, Case][] = [
  [
    "GQA, mixed decode and prefill chunks",
    {
      H: 4,
      KV: 2,
      D: 12,
      slots: 5,
      maxLen: 24,
      chunks: [
        { slot: 2, count: 1, past: 0 },
        { slot: 0, count: 5, past: 3 },
        { slot: 3, count: 1, past: 17 },
        { slot: 1, count: 7, past: 0 },
        { slot: 4, count: 2, past: 9 },
      ],
    },
  ],
  [
    "GQA, decode step large enough to run on the kernel threads",
    {
      H: 4,
      KV: 2,
      D: 64,
      slots: 12,
      maxLen: 80,
      chunks: Array.from({ length: 12 }, (_, i) => ({
        slot: 11 - i,
        count: i % 3 === 0 ? 3 : 1,
        past: 40 + 3 * i,
      })),
    },
  ],
  [
    "D = 32, keys in whole and partial blocks of 16 positions",
    {
      H: 2,
      KV: 2,
      D: 32,
      slots: 3,
      maxLen: 48,
      chunks: [
        { slot: 0, count: 1, past: 15 },
        { slot: 1, count: 1, past: 32 },
        { slot: 2, count: 2, past: 30 },
      ],
    },
  ],
  [
    "multi-head (H = KV), one full-length prefill chunk",
    { H: 3, KV: 3, D: 8, slots: 2, maxLen: 16, chunks: [{ slot: 1, count: 16, past: 0 }] },
  ],
];

for (const [name, c] of cases) {
  test(`attentionCached: native matches reference and per-chunk attentionForward (${name})`, { skip }, () => {
    const ref = new ReferenceBackend();
    const nb = new NativeBackend();
    const s = setup(new Rng(7), c);
    const want = cached(ref, c, s);
    close(
      "reference attentionCached vs reference attentionForward per chunk",
      want,
      perChunk(ref, c, s),
      1e-6,
    );
    close("native attentionCached vs reference", cached(nb, c, s), want);
    close("native attentionForward per chunk vs reference", perChunk(nb, c, s), want);
  });
}

test("attentionCached: the native binding rejects out-of-range chunk tables", { skip }, () => {
  const nb = new NativeBackend();
  const c: Case = { H: 2, KV: 1, D: 4, slots: 2, maxLen: 8, chunks: [{ slot: 1, count: 2, past: 3 }] };
  const s = setup(new Rng(3), c);
  const call = (over: Partial<Setup>, dims: Partial<Case> = {}) => {
    const t = { ...s, ...over };
    const d = { ...c, ...dims };
    const out = new Float32Array(t.N * d.H * d.D);
    nb.attentionCached(
      out,
      t.q,
      t.kc,
      t.vc,
      t.slot,
      t.start,
      t.count,
      t.past,
      t.R,
      t.N,
      d.H,
      d.KV,
      d.D,
      d.slots,
      d.maxLen,
    );
  };
  call({});
  assert.throws(() => call({ slot: Int32Array.of(2) }), /slot out of range/);
  assert.throws(() => call({ slot: Int32Array.of(-1) }), /slot out of range/);
  assert.throws(() => call({ start: Int32Array.of(1) }), /chunk rows out of \[0, N\)/);
  assert.throws(() => call({ past: Int32Array.of(7) }), /past \+ count exceeds maxLen/);
  assert.throws(() => call({}, { KV: 3 }), /H must be a multiple of KV/);
  assert.throws(() => call({ kc: new Float32Array(10) }), /too short/);
  assert.throws(() => call({ R: 2 }), /too short/);
});

for (const backend of ["native", "reference"] as const) {
  test(`CachedDecoder steps mixing short and long chunks match a full forward pass (${backend})`, {
    skip: backend === "native" ? skip : false,
  }, () => {
    const config = makeConfig({
      architectures: ["Qwen2ForCausalLM"],
      model_type: "qwen2",
      vocab_size: 61,
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 160,
    });
    const be = backend === "native" ? new NativeBackend() : new ReferenceBackend();
    const model = LlamaModel.create(config, { backend: be, seed: 5, initStd: 0.2 });
    const V = config.vocab_size;
    const rng = new Rng(11);
    const tokens = (n: number) => Array.from({ length: n }, () => rng.int(V));
    const seqs: number[][] = [[], [], []];
    const decoder = new CachedDecoder(model, 3, 128);
    // step 1: a long prompt (slot 0) and a short one (slot 1); step 2: decode slot 0, a long chunk
    // appended after slot 1's 5 positions, a new short prompt in slot 2; step 3: decode all
    for (const step of [
      [
        [0, 50],
        [1, 5],
      ],
      [
        [0, 1],
        [1, 60],
        [2, 2],
      ],
      [
        [2, 1],
        [0, 1],
        [1, 1],
      ],
    ]) {
      const chunks = step.map(([slot, n]) => ({ slot: slot!, tokens: tokens(n!) }));
      const logits = decoder.step(chunks);
      chunks.forEach((ch, r) => {
        const seq = seqs[ch.slot]!;
        seq.push(...ch.tokens);
        const full = model.logits(Int32Array.from(seq), 1, seq.length);
        const want = full.subarray((seq.length - 1) * V, seq.length * V);
        close(`slot ${ch.slot} after ${seq.length} tokens`, logits.subarray(r * V, (r + 1) * V), want, 1e-4);
      });
    }
  });
}
