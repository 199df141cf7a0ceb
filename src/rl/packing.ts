// Packs prompt+response sequences into one (B,T) forward batch: tokens = seq[0..L-2],
// targets = seq[1..L-1] on response positions and -1 elsewhere (prompt and right padding).
// Response token t of sequence i is predicted at flat position spans[i].start + t.
import type { PackedLayout } from "../models/llama.js";

export interface PackedBatch {
  tokens: Int32Array; // (B,T)
  targets: Int32Array; // (B,T), -1 = no loss
  B: number;
  T: number;
  /** One per input sequence, in input order. */
  spans: { start: number; length: number }[];
  /** Positions and attention holes when rows hold several sequences (packSharedPrefix). */
  layout?: PackedLayout;
}

export interface PackableSequence {
  promptIds: readonly number[];
  responseIds: readonly number[];
  /** Sequences with the same group and prompt share one copy of the prompt in packSharedPrefix. */
  group?: number;
}

export function packSequences(seqs: readonly PackableSequence[], padId = 0): PackedBatch {
  const B = seqs.length;
  const T = Math.max(1, ...seqs.map((s) => s.promptIds.length + s.responseIds.length - 1));
  const tokens = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(-1);
  const spans = seqs.map((s, b) => {
    const all = [...s.promptIds, ...s.responseIds];
    for (let t = 0; t < all.length - 1; t++) tokens[b * T + t] = all[t]!;
    const start = b * T + s.promptIds.length - 1;
    for (let t = 0; t < s.responseIds.length; t++) targets[start + t] = s.responseIds[t]!;
    return { start, length: s.responseIds.length };
  });
  return { tokens, targets, B, T, spans };
}

/**
 * Packs the G responses of a prompt into one row that holds the prompt once (GRPO samples G responses
 * per prompt, and the prompt is usually most of each sequence). A row is
 *   prompt[0..P-2] | prompt[P-1] r1[0..R1-2] | prompt[P-1] r2[0..R2-2] | ...
 * Each response segment repeats the prompt's last token (its first target differs per response), has
 * RoPE positions P-1, P, ... as if it followed the prompt alone, and an attention hole over the
 * segments before it: every response sees the prompt and itself only. The log-probs and gradients
 * equal packSequences' (test/rl-packing.test.ts), for about P + sum(R) tokens instead of G (P + R).
 * Rows are the groups in order of first appearance; spans follow the input order.
 */
export function packSharedPrefix(seqs: readonly PackableSequence[], padId = 0): PackedBatch {
  const rows: number[][] = []; // input indices per row
  const rowOf = new Map<string, number>();
  seqs.forEach((s, i) => {
    const key = s.group === undefined ? `seq:${i}` : `${s.group}:${s.promptIds.join(",")}`;
    let r = rowOf.get(key);
    if (r === undefined) {
      r = rows.length;
      rowOf.set(key, r);
      rows.push([]);
    }
    rows[r]!.push(i);
  });
  const rowLength = (members: number[]) =>
    seqs[members[0]!]!.promptIds.length - 1 + members.reduce((a, i) => a + seqs[i]!.responseIds.length, 0);
  const B = rows.length;
  const T = Math.max(1, ...rows.map(rowLength));
  const tokens = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(-1);
  const positions = new Int32Array(B * T);
  const holes = new Int32Array(2 * B * T);
  const spans: { start: number; length: number }[] = new Array(seqs.length);
  rows.forEach((members, b) => {
    const prompt = seqs[members[0]!]!.promptIds;
    const P = prompt.length;
    if (P === 0) throw new Error("packSharedPrefix: empty prompt");
    const base = b * T;
    for (let t = 0; t < P - 1; t++) {
      tokens[base + t] = prompt[t]!;
      positions[base + t] = t;
    }
    let at = P - 1; // next free column of this row
    for (const i of members) {
      const response = seqs[i]!.responseIds;
      const R = response.length;
      spans[i] = { start: base + at, length: R };
      for (let k = 0; k < R; k++) {
        const n = base + at + k;
        tokens[n] = k === 0 ? prompt[P - 1]! : response[k - 1]!;
        targets[n] = response[k]!;
        positions[n] = P - 1 + k;
        holes[2 * n] = P - 1; // earlier siblings occupy columns [P-1, at)
        holes[2 * n + 1] = at;
      }
      at += R;
    }
    for (let t = at; t < T; t++) positions[base + t] = t; // padding: plain causal, no loss
  });
  return { tokens, targets, B, T, spans, layout: { positions, holes } };
}

/** Splits 0..n-1 into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}
