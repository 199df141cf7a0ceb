// The kernel interface every backend implements. The model (src/models/llama.ts) is TypeScript
// orchestration over these kernels, llm.c style: each layer has a forward kernel and a backward kernel.
//
// Conventions shared by every kernel:
// - All tensors are row-major Float32Array (token ids: Int32Array). Pass `subarray` views for slices:
//   they are zero-copy on both backends.
// - Shapes are named in each doc comment, e.g. `inp (N,C)`; N is usually B*T (tokens).
// - Backward kernels ACCUMULATE (+=) into every gradient they are given, except where a comment says
//   "overwrites". A `null` gradient argument means "not needed" (e.g. a frozen weight): the kernel
//   skips that work.
// - All calls are synchronous. The native backend runs on the calling thread (plus its own helper
//   threads / BLAS threads), so heavy training belongs in a worker thread.

export type BackendName = "native" | "reference";

export interface BackendInfo {
  backend: BackendName;
  /** Which GEMM does the big matrix multiplies. */
  gemm: "openblas" | "builtin" | "typescript";
  /** Why this GEMM (native backend): OMNI_GEMM, OpenBLAS missing, or the AVX-512 rule in native/gemm.c. */
  gemmReason?: string;
  /** From openblas_get_corename(), when OpenBLAS is loaded and exports it (in use or not). */
  openblasCoreType?: string;
  /** Threads used by BLAS GEMM and by the other (non-GEMM) kernels. */
  threads: { blas: number; kernels: number };
}

/** Panel width of packLinearWeight's layout. */
export const LINEAR_PANEL = 64;

/** Floats in a linear weight (OC, IC) packed by packLinearWeight. */
export function packedLinearSize(IC: number, OC: number): number {
  return IC * Math.ceil(OC / LINEAR_PANEL) * LINEAR_PANEL;
}

export interface Backend {
  readonly name: BackendName;
  info(): BackendInfo;

  // ---- GEMM ---------------------------------------------------------------------------------------

  /**
   * C = alpha * op(A) @ op(B) + beta * C, row-major (cblas_sgemm semantics).
   * op(A) is (M,K): A is (M,K) with leading dimension lda, or (K,M) when transA.
   * op(B) is (K,N): B is (K,N) with leading dimension ldb, or (N,K) when transB.
   * C is (M,N) with leading dimension ldc. beta = 0 ignores C's old contents (even NaN).
   */
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
  ): void;

  // ---- Linear layer (HF nn.Linear layout: weight (OC,IC)) -----------------------------------------

  /** out (N,OC) = inp (N,IC) @ weight (OC,IC)^T + bias (OC) (bias may be null). Overwrites out. */
  matmulForward(
    out: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    N: number,
    IC: number,
    OC: number,
  ): void;
  /**
   * out (N,OC) = inp (N,IC) @ weight^T + bias, with the weight packed beforehand by packLinearWeight.
   * Inference uses it: the native GEMM then reads the packed weight in place instead of repacking it
   * on every call, which dominates when N is a handful of decode rows.
   */
  matmulForwardPacked(
    out: Float32Array,
    inp: Float32Array,
    packed: Float32Array,
    bias: Float32Array | null,
    N: number,
    IC: number,
    OC: number,
  ): void;
  /**
   * Packs a linear weight (OC,IC) into `out` (packedLinearSize(IC, OC) floats): ceil(OC/64) panels of
   * IC x 64, out[(j*IC + i)*64 + c] = weight[(64j + c)*IC + i], zero past OC.
   */
  packLinearWeight(out: Float32Array, weight: Float32Array, OC: number, IC: number): void;
  /** dinp (N,IC) += dout @ weight; dweight (OC,IC) += dout^T @ inp; dbias (OC) += sum_n dout. */
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
  ): void;

  // ---- Embedding ----------------------------------------------------------------------------------

  /** out (N,C) = wte[tokens[n]] for tokens (N), wte (V,C). Overwrites out. */
  embeddingForward(out: Float32Array, tokens: Int32Array, wte: Float32Array, N: number, C: number): void;
  /** dwte (V,C) += scatter of dout (N,C) by tokens. */
  embeddingBackward(dwte: Float32Array, dout: Float32Array, tokens: Int32Array, N: number, C: number): void;

  // ---- RMSNorm: out = inp / sqrt(mean(inp^2) + eps) * weight ---------------------------------------

  /** inp (N,C), weight (C) -> out (N,C) overwritten, rstd (N) overwritten (saved for backward). */
  rmsnormForward(
    out: Float32Array,
    rstd: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    N: number,
    C: number,
    eps: number,
  ): void;
  /** dinp (N,C) +=, dweight (C) += (may be null), from dout (N,C), inp, weight, rstd (N). */
  rmsnormBackward(
    dinp: Float32Array,
    dweight: Float32Array | null,
    dout: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    rstd: Float32Array,
    N: number,
    C: number,
  ): void;

  // ---- RoPE (HF "rotate_half" convention: dims i and i+D/2 form a pair) ----------------------------

  /**
   * In place on x (N,nHeads,D): token n at position positions[n] is rotated by angle
   * positions[n] * theta^(-2i/D) for pair (i, i+D/2). cos/sin are a table (maxPos, D/2) from
   * `ropeTable`; every position must be < maxPos.
   */
  ropeForward(
    x: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    positions: Int32Array,
    N: number,
    nHeads: number,
    D: number,
  ): void;
  /** In place on dx (N,nHeads,D): the inverse rotation (RoPE is orthogonal). Overwrites dx. */
  ropeBackward(
    dx: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    positions: Int32Array,
    N: number,
    nHeads: number,
    D: number,
  ): void;

  // ---- Causal attention with GQA -------------------------------------------------------------------

  /**
   * Scaled dot-product attention, causal, grouped-query.
   * q (B,Tq,H,D); k, v (B,Tk,KV,D) with H % KV == 0 (query head h reads kv head h / (H/KV)).
   * Query row t sits at absolute position qPos0 + t and attends to keys j <= qPos0 + t (j < Tk).
   * Training: Tq = Tk = T, qPos0 = 0. KV-cache decoding: k/v hold Tk cached positions (the new ones
   * already appended), q holds the Tq new positions, qPos0 = Tk - Tq.
   * Writes out (B,Tq,H,D) and att (B,H,Tq,Tk): the softmax probabilities (0 above the diagonal),
   * which attentionBackward needs.
   * `holes` (optional, (B*Tq) pairs): query row (b,t) also ignores keys [holes[2i], holes[2i+1])
   * (start >= end: none). That is how several sequences share one prefix in a packed row: each sees
   * the prefix and itself, not its siblings. A hole must end at or before the row's own position.
   * attentionBackward needs no holes: their probabilities are 0 in att.
   */
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
  ): void;
  /** dq (B,Tq,H,D) +=, dk, dv (B,Tk,KV,D) +=, from dout (B,Tq,H,D) and the forward's att, q, k, v. */
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
  ): void;

  /**
   * Causal GQA attention for one KV-cache decode/prefill step over many cache slots, in one call
   * (inference only: no attention matrix is kept). Chunk c is count[c] new tokens of cache slot
   * slot[c], packed at rows [start[c], start[c] + count[c]) of q/out; its keys/values must already be
   * in the cache at positions [past[c], past[c] + count[c]) of that slot. New token i of the chunk
   * attends to the slot's positions [0, past[c] + i]. Scale 1/sqrt(D); head h reads kv head h / (H/KV).
   * q, out (N,H,D); kCache, vCache (slots,maxLen,KV,D); slot, start, count, past (chunks). Overwrites
   * out's rows of every chunk; out must not alias q.
   */
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
  ): void;

  // ---- SwiGLU: out = silu(gate) * up ----------------------------------------------------------------

  /** gate, up, out (n elements). Overwrites out. */
  swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, n: number): void;
  /** dgate +=, dup += from dout (n elements). */
  swigluBackward(
    dgate: Float32Array,
    dup: Float32Array,
    dout: Float32Array,
    gate: Float32Array,
    up: Float32Array,
    n: number,
  ): void;

  // ---- Residual -----------------------------------------------------------------------------------

  /** out = a + b (n elements). out may alias a. */
  add(out: Float32Array, a: Float32Array, b: Float32Array, n: number): void;

  // ---- Softmax, log-prob of target, entropy --------------------------------------------------------

  /** probs (N,V) = softmax(logits (N,V) / temperature) per row. Overwrites probs. */
  softmaxForward(probs: Float32Array, logits: Float32Array, N: number, V: number, temperature: number): void;
  /**
   * Per row n of logits (N,V): lse[n] = logsumexp(logits[n]) (always written);
   * logprobs[n] = logits[n][targets[n]] - lse[n] and entropy[n] = -sum p log p,
   * both 0 where targets[n] < 0 (ignored position). Targets must be < V.
   */
  logprobForward(
    logprobs: Float32Array,
    entropy: Float32Array,
    lse: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    N: number,
    V: number,
  ): void;
  /**
   * OVERWRITES dlogits (N,V) with d/dlogits of sum_n (dlogprobs[n] * logprob[n] + dentropy[n] * entropy[n]),
   * using the forward's lse. dentropy may be null. Rows with targets[n] < 0 get 0.
   *   d logprob / dz_j = 1[j = target] - p_j;   d entropy / dz_j = -p_j (log p_j + entropy).
   */
  logprobBackward(
    dlogits: Float32Array,
    logits: Float32Array,
    lse: Float32Array,
    targets: Int32Array,
    dlogprobs: Float32Array,
    dentropy: Float32Array | null,
    N: number,
    V: number,
  ): void;

  // ---- Optimizer ----------------------------------------------------------------------------------

  /**
   * One AdamW step on n elements, in place on param, m, v (decoupled weight decay):
   *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
   *   param -= lr * ( (m / (1-b1^step)) / (sqrt(v / (1-b2^step)) + eps) + weightDecay * param ).
   * step counts from 1. grad is multiplied by gradScale first (1 = none; used for clipping).
   */
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
  ): void;
  /** sum of x[i]^2 over n elements, accumulated in float64. */
  sumSquares(x: Float32Array, n: number): number;
}

/** cos/sin table (maxPos, D/2) for RoPE: angle(p, i) = p * theta^(-2i/D), computed in float64. */
export function ropeTable(
  maxPos: number,
  D: number,
  theta: number,
): { cos: Float32Array; sin: Float32Array } {
  const half = D / 2;
  const cos = new Float32Array(maxPos * half);
  const sin = new Float32Array(maxPos * half);
  for (let i = 0; i < half; i++) {
    // HF computes inv_freq = 1 / theta^(2i/D) in float32; the product with p in float64 is closer to exact.
    const invFreq = 1 / theta ** ((2 * i) / D);
    for (let p = 0; p < maxPos; p++) {
      const a = p * invFreq;
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}
