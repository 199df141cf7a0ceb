// The reference backend: plain TypeScript, every sum accumulated in float64. It is the oracle for the
// native kernels and for gradient checks, and the fallback when the native addon cannot load.
// Written for clarity, not speed.
import { type Backend, type BackendInfo, LINEAR_PANEL, packedLinearSize } from "./backend.js";

export class ReferenceBackend implements Backend {
  readonly name = "reference" as const;

  info(): BackendInfo {
    return { backend: "reference", gemm: "typescript", threads: { blas: 1, kernels: 1 } };
  }

  sgemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Float32Array,
    lda: number,
    B: Float32Array,
    ldb: number,
    beta: number,
    C: Float32Array,
    ldc: number,
  ): void {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let p = 0; p < K; p++) {
          const a = transA ? A[p * lda + i]! : A[i * lda + p]!;
          const b = transB ? B[j * ldb + p]! : B[p * ldb + j]!;
          acc += a * b;
        }
        const c = beta === 0 ? 0 : beta * C[i * ldc + j]!;
        C[i * ldc + j] = alpha * acc + c;
      }
    }
  }

  matmulForward(
    out: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    N: number,
    IC: number,
    OC: number,
  ): void {
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < OC; o++) {
        let acc = bias ? bias[o]! : 0;
        for (let i = 0; i < IC; i++) acc += inp[n * IC + i]! * weight[o * IC + i]!;
        out[n * OC + o] = acc;
      }
    }
  }

  matmulForwardPacked(
    out: Float32Array,
    inp: Float32Array,
    packed: Float32Array,
    bias: Float32Array | null,
    N: number,
    IC: number,
    OC: number,
  ): void {
    const P = LINEAR_PANEL;
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < OC; o++) {
        const panel = Math.floor(o / P) * IC * P + (o % P);
        let acc = bias ? bias[o]! : 0;
        for (let i = 0; i < IC; i++) acc += inp[n * IC + i]! * packed[panel + i * P]!;
        out[n * OC + o] = acc;
      }
    }
  }

  packLinearWeight(out: Float32Array, weight: Float32Array, OC: number, IC: number): void {
    const P = LINEAR_PANEL;
    out.fill(0, 0, packedLinearSize(IC, OC));
    for (let o = 0; o < OC; o++) {
      const panel = Math.floor(o / P) * IC * P + (o % P);
      for (let i = 0; i < IC; i++) out[panel + i * P] = weight[o * IC + i]!;
    }
  }

  matmulBackward(
    dinp: Float32Array | null,
    dweight: Float32Array | null,
    dbias: Float32Array | null,
    dout: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    N: number,
    IC: number,
    OC: number,
  ): void {
    if (dinp) {
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < IC; i++) {
          let acc = 0;
          for (let o = 0; o < OC; o++) acc += dout[n * OC + o]! * weight[o * IC + i]!;
          dinp[n * IC + i]! += acc;
        }
      }
    }
    if (dweight) {
      for (let o = 0; o < OC; o++) {
        for (let i = 0; i < IC; i++) {
          let acc = 0;
          for (let n = 0; n < N; n++) acc += dout[n * OC + o]! * inp[n * IC + i]!;
          dweight[o * IC + i]! += acc;
        }
      }
    }
    if (dbias) {
      for (let o = 0; o < OC; o++) {
        let acc = 0;
        for (let n = 0; n < N; n++) acc += dout[n * OC + o]!;
        dbias[o]! += acc;
      }
    }
  }

  embeddingForward(out: Float32Array, tokens: Int32Array, wte: Float32Array, N: number, C: number): void {
    for (let n = 0; n < N; n++) out.set(wte.subarray(tokens[n]! * C, tokens[n]! * C + C), n * C);
  }

  embeddingBackward(dwte: Float32Array, dout: Float32Array, tokens: Int32Array, N: number, C: number): void {
    for (let n = 0; n < N; n++) {
      const row = tokens[n]! * C;
      for (let c = 0; c < C; c++) dwte[row + c]! += dout[n * C + c]!;
    }
  }

  rmsnormForward(
    out: Float32Array,
    rstd: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    N: number,
    C: number,
    eps: number,
  ): void {
    for (let n = 0; n < N; n++) {
      let ss = 0;
      for (let c = 0; c < C; c++) ss += inp[n * C + c]! * inp[n * C + c]!;
      const r = 1 / Math.sqrt(ss / C + eps);
      rstd[n] = r;
      for (let c = 0; c < C; c++) out[n * C + c] = inp[n * C + c]! * r * weight[c]!;
    }
  }

  rmsnormBackward(
    dinp: Float32Array,
    dweight: Float32Array | null,
    dout: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    rstd: Float32Array,
    N: number,
    C: number,
  ): void {
    // y_c = x_c r w_c with r = (mean x^2 + eps)^-1/2:  dx_c = r (w_c dy_c) - x_c r^3 / C * sum_k (w_k dy_k x_k)
    for (let n = 0; n < N; n++) {
      const r = rstd[n]!;
      let dot = 0;
      for (let c = 0; c < C; c++) dot += weight[c]! * dout[n * C + c]! * inp[n * C + c]!;
      const k = (dot * r * r * r) / C;
      for (let c = 0; c < C; c++) {
        const x = inp[n * C + c]!;
        dinp[n * C + c]! += r * weight[c]! * dout[n * C + c]! - x * k;
        if (dweight) dweight[c]! += dout[n * C + c]! * x * r;
      }
    }
  }

  ropeForward(
    x: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    positions: Int32Array,
    N: number,
    nHeads: number,
    D: number,
  ): void {
    rotate(x, cos, sin, positions, N, nHeads, D, 1);
  }

  ropeBackward(
    dx: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    positions: Int32Array,
    N: number,
    nHeads: number,
    D: number,
  ): void {
    rotate(dx, cos, sin, positions, N, nHeads, D, -1);
  }

  attentionForward(
    out: Float32Array,
    att: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    B: number,
    Tq: number,
    Tk: number,
    H: number,
    KV: number,
    D: number,
    qPos0: number,
    holes?: Int32Array | null,
  ): void {
    const group = H / KV;
    const scale = 1 / Math.sqrt(D);
    const row = new Float64Array(Tk);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < Tq; t++) {
        const r = b * Tq + t;
        const hole: [number, number] =
          holes && holes[2 * r]! < holes[2 * r + 1]! ? [holes[2 * r]!, holes[2 * r + 1]!] : [0, 0];
        if (hole[1] > hole[0] && (hole[0] < 0 || hole[1] > qPos0 + t)) {
          throw new RangeError(
            "attentionForward: hole [start, end) must satisfy 0 <= start and end <= the row's own position",
          );
        }
        for (let h = 0; h < H; h++) {
          const kh = Math.floor(h / group);
          const qo = ((b * Tq + t) * H + h) * D;
          const last = Math.min(qPos0 + t, Tk - 1);
          const keyAt = (j: number) => ((b * Tk + j) * KV + kh) * D;
          const sum = attendOneQuery(out, row, q, qo, k, v, keyAt, last, D, scale, hole);
          const ao = ((b * H + h) * Tq + t) * Tk;
          for (let j = 0; j < Tk; j++) att[ao + j] = j <= last ? row[j]! / sum : 0;
        }
      }
    }
  }

  attentionCached(
    out: Float32Array,
    q: Float32Array,
    kCache: Float32Array,
    vCache: Float32Array,
    slot: Int32Array,
    start: Int32Array,
    count: Int32Array,
    past: Int32Array,
    chunks: number,
    N: number,
    H: number,
    KV: number,
    D: number,
    slots: number,
    maxLen: number,
  ): void {
    if (KV === 0 || H % KV !== 0) throw new RangeError("attentionCached: H must be a multiple of KV");
    const group = H / KV;
    const scale = 1 / Math.sqrt(D);
    const row = new Float64Array(maxLen);
    for (let c = 0; c < chunks; c++) {
      const sl = slot[c]!;
      const s0 = start[c]!;
      const Tq = count[c]!;
      const p0 = past[c]!;
      if (sl < 0 || sl >= slots) throw new RangeError(`attentionCached: slot ${sl} out of range`);
      if (s0 < 0 || Tq < 0 || s0 + Tq > N) throw new RangeError("attentionCached: chunk rows out of [0, N)");
      if (p0 < 0 || p0 + Tq > maxLen) throw new RangeError("attentionCached: past + count exceeds maxLen");
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / group);
        for (let i = 0; i < Tq; i++) {
          const last = p0 + i;
          const keyAt = (j: number) => ((sl * maxLen + j) * KV + kh) * D;
          attendOneQuery(out, row, q, ((s0 + i) * H + h) * D, kCache, vCache, keyAt, last, D, scale);
        }
      }
    }
  }

  attentionBackward(
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    dout: Float32Array,
    att: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    B: number,
    Tq: number,
    Tk: number,
    H: number,
    KV: number,
    D: number,
    qPos0: number,
  ): void {
    const group = H / KV;
    const scale = 1 / Math.sqrt(D);
    const datt = new Float64Array(Tk);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / group);
        for (let t = 0; t < Tq; t++) {
          const qo = ((b * Tq + t) * H + h) * D;
          const ao = ((b * H + h) * Tq + t) * Tk;
          const last = Math.min(qPos0 + t, Tk - 1);
          // out = sum_j p_j v_j:  dv_j += p_j dout;  dp_j = dout . v_j
          let dotPdp = 0;
          for (let j = 0; j <= last; j++) {
            const vo = ((b * Tk + j) * KV + kh) * D;
            let s = 0;
            for (let d = 0; d < D; d++) {
              s += dout[qo + d]! * v[vo + d]!;
              dv[vo + d]! += att[ao + j]! * dout[qo + d]!;
            }
            datt[j] = s;
            dotPdp += att[ao + j]! * s;
          }
          // softmax backward: ds_j = p_j (dp_j - sum_i p_i dp_i); s_j = scale q . k_j
          for (let j = 0; j <= last; j++) {
            const ds = att[ao + j]! * (datt[j]! - dotPdp) * scale;
            const ko = ((b * Tk + j) * KV + kh) * D;
            for (let d = 0; d < D; d++) {
              dq[qo + d]! += ds * k[ko + d]!;
              dk[ko + d]! += ds * q[qo + d]!;
            }
          }
        }
      }
    }
  }

  swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const g = gate[i]!;
      out[i] = (g / (1 + Math.exp(-g))) * up[i]!;
    }
  }

  swigluBackward(
    dgate: Float32Array,
    dup: Float32Array,
    dout: Float32Array,
    gate: Float32Array,
    up: Float32Array,
    n: number,
  ): void {
    for (let i = 0; i < n; i++) {
      const g = gate[i]!;
      const s = 1 / (1 + Math.exp(-g));
      dup[i]! += dout[i]! * g * s;
      // d silu(g) / dg = s (1 + g (1 - s))
      dgate[i]! += dout[i]! * up[i]! * s * (1 + g * (1 - s));
    }
  }

  add(out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
    for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
  }

  softmaxForward(probs: Float32Array, logits: Float32Array, N: number, V: number, temperature: number): void {
    for (let n = 0; n < N; n++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < V; j++) max = Math.max(max, logits[n * V + j]! / temperature);
      let sum = 0;
      for (let j = 0; j < V; j++) sum += Math.exp(logits[n * V + j]! / temperature - max);
      for (let j = 0; j < V; j++) probs[n * V + j] = Math.exp(logits[n * V + j]! / temperature - max) / sum;
    }
  }

  logprobForward(
    logprobs: Float32Array,
    entropy: Float32Array,
    lse: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    N: number,
    V: number,
  ): void {
    for (let n = 0; n < N; n++) {
      const o = n * V;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < V; j++) max = Math.max(max, logits[o + j]!);
      let sum = 0;
      for (let j = 0; j < V; j++) sum += Math.exp(logits[o + j]! - max);
      const l = max + Math.log(sum);
      lse[n] = l;
      const y = targets[n]!;
      if (y < 0) {
        logprobs[n] = 0;
        entropy[n] = 0;
        continue;
      }
      // H = lse - sum_j p_j z_j
      let pz = 0;
      for (let j = 0; j < V; j++) pz += Math.exp(logits[o + j]! - l) * logits[o + j]!;
      logprobs[n] = logits[o + y]! - l;
      entropy[n] = l - pz;
    }
  }

  logprobBackward(
    dlogits: Float32Array,
    logits: Float32Array,
    lse: Float32Array,
    targets: Int32Array,
    dlogprobs: Float32Array,
    dentropy: Float32Array | null,
    N: number,
    V: number,
  ): void {
    for (let n = 0; n < N; n++) {
      const o = n * V;
      const y = targets[n]!;
      if (y < 0) {
        dlogits.fill(0, o, o + V);
        continue;
      }
      const l = lse[n]!;
      const dlp = dlogprobs[n]!;
      const dH = dentropy ? dentropy[n]! : 0;
      let H = 0;
      if (dH !== 0) {
        let pz = 0;
        for (let j = 0; j < V; j++) pz += Math.exp(logits[o + j]! - l) * logits[o + j]!;
        H = l - pz;
      }
      for (let j = 0; j < V; j++) {
        const logp = logits[o + j]! - l;
        const p = Math.exp(logp);
        let g = -dlp * p;
        if (j === y) g += dlp;
        if (dH !== 0) g -= dH * p * (logp + H);
        dlogits[o + j] = g;
      }
    }
  }

  adamwStep(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
    gradScale: number,
  ): void {
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    for (let i = 0; i < n; i++) {
      const g = grad[i]! * gradScale;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] = param[i]! - lr * (mi / c1 / (Math.sqrt(vi / c2) + eps) + weightDecay * param[i]!);
    }
  }

  sumSquares(x: Float32Array, n: number): number {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * x[i]!;
    return s;
  }
}

/** Rotates pairs (i, i+D/2) of every head by +angle (sign 1) or -angle (sign -1). */
function rotate(
  x: Float32Array,
  cos: Float32Array,
  sin: Float32Array,
  positions: Int32Array,
  N: number,
  nHeads: number,
  D: number,
  sign: 1 | -1,
): void {
  const half = D / 2;
  for (let n = 0; n < N; n++) {
    const tab = positions[n]! * half;
    for (let h = 0; h < nHeads; h++) {
      const o = (n * nHeads + h) * D;
      for (let i = 0; i < half; i++) {
        const c = cos[tab + i]!;
        const s = sign * sin[tab + i]!;
        const a = x[o + i]!;
        const b = x[o + i + half]!;
        // HF: out = x * cos + rotate_half(x) * sin, rotate_half(x) = (-x2, x1)
        x[o + i] = a * c - b * s;
        x[o + i + half] = b * c + a * s;
      }
    }
  }
}

/**
 * Causal softmax attention of one query (D values at q[qo]) over keys/values 0..last, found at
 * keyAt(j) in k and v: writes the output at out[qo], leaves exp(score - max) in row[0..last] and
 * returns their sum (row[j] / sum is the attention probability).
 */
function attendOneQuery(
  out: Float32Array,
  row: Float64Array,
  q: Float32Array,
  qo: number,
  k: Float32Array,
  v: Float32Array,
  keyAt: (j: number) => number,
  last: number,
  D: number,
  scale: number,
  hole: readonly [number, number] = [0, 0],
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j <= last; j++) {
    if (j >= hole[0] && j < hole[1]) {
      row[j] = Number.NEGATIVE_INFINITY; // exp gives 0: masked like the keys past `last`
      continue;
    }
    const ko = keyAt(j);
    let s = 0;
    for (let d = 0; d < D; d++) s += q[qo + d]! * k[ko + d]!;
    row[j] = s * scale;
    if (row[j]! > max) max = row[j]!;
  }
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    row[j] = Math.exp(row[j]! - max);
    sum += row[j]!;
  }
  for (let d = 0; d < D; d++) {
    let acc = 0;
    for (let j = 0; j <= last; j++) acc += row[j]! * v[keyAt(j) + d]!;
    out[qo + d] = acc / sum;
  }
  return sum;
}
