// Packs prompt+response sequences into one (B,T) forward batch: tokens = seq[0..L-2],
// targets = seq[1..L-1] on response positions and -1 elsewhere (prompt and right padding).
// Response token t of row b is predicted at flat position spans[b].start + t.

export interface PackedBatch {
  tokens: Int32Array; // (B,T)
  targets: Int32Array; // (B,T), -1 = no loss
  B: number;
  T: number;
  spans: { start: number; length: number }[];
}

export function packSequences(
  seqs: readonly { promptIds: readonly number[]; responseIds: readonly number[] }[],
  padId = 0,
): PackedBatch {
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

/** Splits 0..n-1 into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}
