// Llama / Qwen2 decoder with explicit forward and backward (llm.c style) over a kernel Backend.
//
//   tokens (B,T) -> embed -> L x [ x += o_proj(attn(rope(q), rope(k), v)(rmsnorm(x)))
//                                  x += down(silu(gate(rmsnorm(x))) * up(rmsnorm(x))) ]
//                -> rmsnorm -> lm_head -> per-position log p(target), entropy
//
// The backward pass starts from dL/dlogprob (and optionally dL/dentropy), which covers SFT
// (dlogprobs = -mask/N) and policy-gradient losses computed in TypeScript alike.
// Parameters live under Hugging Face names in HF nn.Linear layout (out, in).
import type { Backend } from "../engine/backend.js";
import { ropeTable } from "../engine/backend.js";
import { loadBackend } from "../engine/load-backend.js";
import type { ParamTensor } from "../engine/param.js";
import { Rng } from "../engine/rng.js";
import type { LlamaConfig } from "./config.js";

export type { ParamTensor };

/** One decoder layer's weights, as views of the model's parameters (biases null when absent). */
export interface LayerWeights {
  inputNorm: Float32Array; // (C)
  q: Float32Array; // (H*D, C)
  qBias: Float32Array | null; // (H*D)
  k: Float32Array; // (KV*D, C)
  kBias: Float32Array | null; // (KV*D)
  v: Float32Array; // (KV*D, C)
  vBias: Float32Array | null; // (KV*D)
  o: Float32Array; // (C, H*D)
  oBias: Float32Array | null; // (C)
  postNorm: Float32Array; // (C)
  gate: Float32Array; // (F, C)
  up: Float32Array; // (F, C)
  down: Float32Array; // (C, F)
}

/** The same layer's gradients (null where the parameter is frozen or absent). */
type LayerGrads = { [K in keyof LayerWeights]: Float32Array | null };

/**
 * A forward's token layout when rows are not plain sequences: RoPE position of each of the B*T
 * tokens, and per token a [start, end) range of keys in its row it must not attend to (start >= end:
 * none). Several sequences can then share one prefix in a row (rl/packing.ts packSharedPrefix).
 */
export interface PackedLayout {
  positions: Int32Array;
  holes: Int32Array;
}

export interface CreateOptions {
  seed?: number;
  backend?: Backend;
  /** Std of the normal init of embedding and projection matrices (default 0.02); norms 1, biases 0. */
  initStd?: number;
}

/** Parameter names and shapes of a config, in HF order. */
export function parameterShapes(config: LlamaConfig): Map<string, number[]> {
  const { hidden_size: C, intermediate_size: F, vocab_size: V, head_dim: D } = config;
  const QD = config.num_attention_heads * D;
  const KD = config.num_key_value_heads * D;
  const shapes = new Map<string, number[]>();
  shapes.set("model.embed_tokens.weight", [V, C]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    shapes.set(`${p}.input_layernorm.weight`, [C]);
    shapes.set(`${p}.self_attn.q_proj.weight`, [QD, C]);
    if (config.qkv_bias) shapes.set(`${p}.self_attn.q_proj.bias`, [QD]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [KD, C]);
    if (config.qkv_bias) shapes.set(`${p}.self_attn.k_proj.bias`, [KD]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [KD, C]);
    if (config.qkv_bias) shapes.set(`${p}.self_attn.v_proj.bias`, [KD]);
    shapes.set(`${p}.self_attn.o_proj.weight`, [C, QD]);
    if (config.o_bias) shapes.set(`${p}.self_attn.o_proj.bias`, [C]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [C]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [F, C]);
    shapes.set(`${p}.mlp.up_proj.weight`, [F, C]);
    shapes.set(`${p}.mlp.down_proj.weight`, [C, F]);
  }
  shapes.set("model.norm.weight", [C]);
  if (!config.tie_word_embeddings) shapes.set("lm_head.weight", [V, C]);
  return shapes;
}

/** Turns a glob-ish pattern ("model.layers.*.mlp.*") into an anchored regex; RegExps pass through. */
export function namePattern(p: string | RegExp): RegExp {
  if (p instanceof RegExp) return p;
  const escaped = p.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** Buffers for one (B,T): allocated once, reused by every forward/backward of that shape. */
class Activations {
  readonly N: number;
  readonly positions: Int32Array; // (N) RoPE position of each token: t, or the forward's layout
  holes: Int32Array | null = null; // (N pairs) attention holes of the forward's layout
  readonly tokens: Int32Array; // (N) copy of the last forward's tokens
  readonly targets: Int32Array; // (N)
  // per layer (index l), plus resid[L] = final residual
  readonly resid: Float32Array[]; // (N,C) input of layer l
  readonly xn1: Float32Array[]; // (N,C) input_layernorm output
  readonly rstd1: Float32Array[]; // (N)
  readonly q: Float32Array[]; // (N,H*D) after RoPE
  readonly k: Float32Array[]; // (N,KV*D) after RoPE
  readonly v: Float32Array[]; // (N,KV*D)
  readonly att: Float32Array[]; // (B,H,T,T) softmax probabilities
  readonly ao: Float32Array[]; // (N,H*D) attention output
  readonly x2: Float32Array[]; // (N,C) resid + o_proj
  readonly xn2: Float32Array[]; // (N,C) post_attention_layernorm output
  readonly rstd2: Float32Array[]; // (N)
  readonly gate: Float32Array[]; // (N,F)
  readonly up: Float32Array[]; // (N,F)
  readonly h: Float32Array[]; // (N,F) silu(gate)*up
  readonly xf: Float32Array; // (N,C) final norm output
  readonly rstdf: Float32Array; // (N)
  readonly logits: Float32Array; // (N,V); (M,V) for the M head rows when the head runs on targets only
  readonly lse: Float32Array; // (N)
  // The LM head runs only on positions with a target (see LlamaModel.forward): their indices, and
  // their final-norm rows / targets / outputs gathered to the front.
  headRows = 0; // M; N when every position went through the head
  readonly headIndex: Int32Array; // (N)
  readonly xfSel: Float32Array; // (N,C)
  readonly targetsSel: Int32Array; // (N)
  readonly logprobsSel: Float32Array; // (N)
  readonly entropySel: Float32Array; // (N)
  readonly logprobs: Float32Array; // (N)
  readonly entropy: Float32Array; // (N)
  // gradient scratch, shared by all layers
  readonly dresid: Float32Array; // (N,C)
  readonly dxn: Float32Array; // (N,C)
  readonly dq: Float32Array; // (N,H*D)
  readonly dk: Float32Array; // (N,KV*D)
  readonly dv: Float32Array; // (N,KV*D)
  readonly dao: Float32Array; // (N,H*D)
  readonly dh: Float32Array; // (N,F)
  readonly dgate: Float32Array; // (N,F)
  readonly dup: Float32Array; // (N,F)
  readonly dlogits: Float32Array; // (N,V)

  constructor(
    c: LlamaConfig,
    readonly B: number,
    readonly T: number,
  ) {
    const N = B * T;
    const C = c.hidden_size;
    const F = c.intermediate_size;
    const QD = c.num_attention_heads * c.head_dim;
    const KD = c.num_key_value_heads * c.head_dim;
    const L = c.num_hidden_layers;
    const per = (n: number) => Array.from({ length: L }, () => new Float32Array(n));
    this.N = N;
    this.positions = new Int32Array(N);
    this.tokens = new Int32Array(N);
    this.targets = new Int32Array(N);
    this.resid = Array.from({ length: L + 1 }, () => new Float32Array(N * C));
    this.xn1 = per(N * C);
    this.rstd1 = per(N);
    this.q = per(N * QD);
    this.k = per(N * KD);
    this.v = per(N * KD);
    this.att = per(B * c.num_attention_heads * T * T);
    this.ao = per(N * QD);
    this.x2 = per(N * C);
    this.xn2 = per(N * C);
    this.rstd2 = per(N);
    this.gate = per(N * F);
    this.up = per(N * F);
    this.h = per(N * F);
    this.xf = new Float32Array(N * C);
    this.rstdf = new Float32Array(N);
    this.logits = new Float32Array(N * c.vocab_size);
    this.lse = new Float32Array(N);
    this.headIndex = new Int32Array(N);
    this.xfSel = new Float32Array(N * C);
    this.targetsSel = new Int32Array(N);
    this.logprobsSel = new Float32Array(N);
    this.entropySel = new Float32Array(N);
    this.logprobs = new Float32Array(N);
    this.entropy = new Float32Array(N);
    this.dresid = new Float32Array(N * C);
    this.dxn = new Float32Array(N * C);
    this.dq = new Float32Array(N * QD);
    this.dk = new Float32Array(N * KD);
    this.dv = new Float32Array(N * KD);
    this.dao = new Float32Array(N * QD);
    this.dh = new Float32Array(N * F);
    this.dgate = new Float32Array(N * F);
    this.dup = new Float32Array(N * F);
    this.dlogits = new Float32Array(N * c.vocab_size);
  }
}

export class LlamaModel {
  readonly config: LlamaConfig;
  readonly backend: Backend;
  /** Insertion order = HF order. */
  readonly params: Map<string, ParamTensor>;
  private acts: Activations | null = null;
  private forwardDone = false;
  private rope: { cos: Float32Array; sin: Float32Array; maxPos: number } | null = null;

  private constructor(config: LlamaConfig, backend: Backend, params: Map<string, ParamTensor>) {
    if (config.head_dim % 2 !== 0) throw new Error(`head_dim must be even for RoPE (got ${config.head_dim})`);
    this.config = config;
    this.backend = backend;
    this.params = params;
  }

  /** A freshly initialized model (seeded: the same seed gives the same weights on every backend). */
  static create(config: LlamaConfig, opts: CreateOptions = {}): LlamaModel {
    const rng = new Rng(opts.seed ?? 0);
    const std = opts.initStd ?? 0.02;
    const params = new Map<string, ParamTensor>();
    for (const [name, shape] of parameterShapes(config)) {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      if (name.endsWith("norm.weight")) data.fill(1);
      else if (!name.endsWith(".bias")) for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
      params.set(name, { name, shape, data, grad: new Float32Array(data.length) });
    }
    return new LlamaModel(config, opts.backend ?? loadBackend(), params);
  }

  /**
   * A model over existing tensors (e.g. read from safetensors). The Float32Arrays are used as-is (not
   * copied), so training updates them in place. Errors name every missing, extra or mis-shaped tensor.
   * Tolerated extras: `lm_head.weight` when the embeddings are tied, and RoPE `inv_freq` buffers.
   */
  static fromTensors(
    config: LlamaConfig,
    tensors: Map<string, { shape: number[]; data: Float32Array }>,
    opts: { backend?: Backend } = {},
  ): LlamaModel {
    const expected = parameterShapes(config);
    const problems: string[] = [];
    const params = new Map<string, ParamTensor>();
    for (const [name, shape] of expected) {
      const t = tensors.get(name);
      if (!t) {
        problems.push(`missing tensor ${name} [${shape.join(", ")}]`);
        continue;
      }
      const size = shape.reduce((a, b) => a * b, 1);
      if (
        t.shape.length !== shape.length ||
        t.shape.some((d, i) => d !== shape[i]) ||
        t.data.length !== size
      ) {
        problems.push(`tensor ${name} has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
        continue;
      }
      params.set(name, { name, shape: [...shape], data: t.data, grad: new Float32Array(size) });
    }
    for (const name of tensors.keys()) {
      if (expected.has(name) || name.endsWith("rotary_emb.inv_freq")) continue;
      if (name === "lm_head.weight" && config.tie_word_embeddings) continue;
      problems.push(`unexpected tensor ${name}`);
    }
    if (problems.length > 0)
      throw new Error(`model tensors do not match the config:\n  ${problems.join("\n  ")}`);
    return new LlamaModel(config, opts.backend ?? loadBackend(), params);
  }

  numParams(): number {
    let n = 0;
    for (const p of this.params.values()) n += p.data.length;
    return n;
  }

  /**
   * Freezes every parameter whose name matches a pattern ("*" matches any run of characters, RegExps
   * are used as given): its grad becomes null, so backward skips it and the optimizer leaves it alone.
   * With tied embeddings, freezing model.embed_tokens.weight also freezes the LM head.
   */
  freeze(patterns: (string | RegExp)[]): void {
    const res = patterns.map(namePattern);
    for (const p of this.params.values()) if (res.some((re) => re.test(p.name))) p.grad = null;
  }

  /** Unfreezes matching parameters (fresh zero grads). */
  unfreeze(patterns: (string | RegExp)[]): void {
    const res = patterns.map(namePattern);
    for (const p of this.params.values()) {
      if (p.grad === null && res.some((re) => re.test(p.name))) p.grad = new Float32Array(p.data.length);
    }
  }

  zeroGrad(): void {
    for (const p of this.params.values()) p.grad?.fill(0);
  }

  /** The parameter's data; throws naming it when absent. */
  weight(name: string): Float32Array {
    const p = this.params.get(name);
    if (!p) throw new Error(`no parameter named ${name}`);
    return p.data;
  }

  private gradOf(name: string): Float32Array | null {
    return this.params.get(name)?.grad ?? null;
  }

  /** Layer i's weights as views (for KV-cache decoding built from the same kernels). */
  layer(i: number): LayerWeights {
    const p = `model.layers.${i}`;
    const get = (n: string) => this.weight(`${p}.${n}`);
    const opt = (n: string) => this.params.get(`${p}.${n}`)?.data ?? null;
    return {
      inputNorm: get("input_layernorm.weight"),
      q: get("self_attn.q_proj.weight"),
      qBias: opt("self_attn.q_proj.bias"),
      k: get("self_attn.k_proj.weight"),
      kBias: opt("self_attn.k_proj.bias"),
      v: get("self_attn.v_proj.weight"),
      vBias: opt("self_attn.v_proj.bias"),
      o: get("self_attn.o_proj.weight"),
      oBias: opt("self_attn.o_proj.bias"),
      postNorm: get("post_attention_layernorm.weight"),
      gate: get("mlp.gate_proj.weight"),
      up: get("mlp.up_proj.weight"),
      down: get("mlp.down_proj.weight"),
    };
  }

  private layerGrads(i: number): LayerGrads {
    const p = `model.layers.${i}`;
    const g = (n: string) => this.gradOf(`${p}.${n}`);
    return {
      inputNorm: g("input_layernorm.weight"),
      q: g("self_attn.q_proj.weight"),
      qBias: g("self_attn.q_proj.bias"),
      k: g("self_attn.k_proj.weight"),
      kBias: g("self_attn.k_proj.bias"),
      v: g("self_attn.v_proj.weight"),
      vBias: g("self_attn.v_proj.bias"),
      o: g("self_attn.o_proj.weight"),
      oBias: g("self_attn.o_proj.bias"),
      postNorm: g("post_attention_layernorm.weight"),
      gate: g("mlp.gate_proj.weight"),
      up: g("mlp.up_proj.weight"),
      down: g("mlp.down_proj.weight"),
    };
  }

  /** The LM head matrix (V,C): lm_head.weight, or the embedding when tied. */
  headWeight(): Float32Array {
    return this.weight(this.config.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight");
  }

  private headGrad(): Float32Array | null {
    return this.gradOf(this.config.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight");
  }

  /** RoPE cos/sin tables (maxPos, head_dim/2) covering at least `positions` positions (grown on demand). */
  ropeTables(positions: number): { cos: Float32Array; sin: Float32Array } {
    if (!this.rope || this.rope.maxPos < positions) {
      const maxPos = Math.max(positions, 2 * (this.rope?.maxPos ?? 0), 256);
      this.rope = { ...ropeTable(maxPos, this.config.head_dim, this.config.rope_theta), maxPos };
    }
    return this.rope;
  }

  private activations(B: number, T: number): Activations {
    if (!this.acts || this.acts.B !== B || this.acts.T !== T) this.acts = new Activations(this.config, B, T);
    return this.acts;
  }

  /**
   * Forward over tokens (B,T) with targets (B,T) (-1 = ignored position). Caches activations for
   * backward. Returns per-position log p(target) and the entropy of the predictive distribution (both 0
   * where target = -1). The returned arrays are the model's buffers: valid until the next forward.
   * `opts.allLogits` runs the LM head on every position (logits()); otherwise only positions with a
   * target. `opts.layout` packs several sequences per row (PackedLayout).
   */
  forward(
    tokens: Int32Array,
    targets: Int32Array,
    B: number,
    T: number,
    opts: { allLogits?: boolean; layout?: PackedLayout } = {},
  ): { logprobs: Float32Array; entropy: Float32Array } {
    const { allLogits = false, layout } = opts;
    const c = this.config;
    const be = this.backend;
    const N = B * T;
    if (tokens.length !== N || targets.length !== N) {
      throw new Error(
        `forward: tokens and targets need B*T = ${N} entries (got ${tokens.length}, ${targets.length})`,
      );
    }
    for (let n = 0; n < N; n++) {
      if (tokens[n]! < 0 || tokens[n]! >= c.vocab_size)
        throw new Error(`forward: token ${tokens[n]} at ${n} out of range`);
      if (targets[n]! < -1 || targets[n]! >= c.vocab_size) {
        throw new Error(`forward: target ${targets[n]} at ${n} out of range (-1 = ignore)`);
      }
    }
    const a = this.activations(B, T);
    a.tokens.set(tokens);
    a.targets.set(targets);
    if (layout) {
      if (layout.positions.length !== N || layout.holes.length !== 2 * N)
        throw new Error(`forward: layout needs ${N} positions and ${2 * N} hole bounds`);
      a.positions.set(layout.positions);
      a.holes = layout.holes;
    } else {
      for (let n = 0; n < N; n++) a.positions[n] = n % T;
      a.holes = null;
    }
    const C = c.hidden_size;
    const F = c.intermediate_size;
    const H = c.num_attention_heads;
    const KV = c.num_key_value_heads;
    const D = c.head_dim;
    let maxPos = T;
    if (layout) for (let n = 0; n < N; n++) maxPos = Math.max(maxPos, a.positions[n]! + 1);
    const { cos, sin } = this.ropeTables(maxPos);

    be.embeddingForward(a.resid[0]!, a.tokens, this.weight("model.embed_tokens.weight"), N, C);
    for (let l = 0; l < c.num_hidden_layers; l++) {
      const w = this.layer(l);
      // attention block: resid (N,C) -> x2 (N,C)
      be.rmsnormForward(a.xn1[l]!, a.rstd1[l]!, a.resid[l]!, w.inputNorm, N, C, c.rms_norm_eps);
      be.matmulForward(a.q[l]!, a.xn1[l]!, w.q, w.qBias, N, C, H * D);
      be.matmulForward(a.k[l]!, a.xn1[l]!, w.k, w.kBias, N, C, KV * D);
      be.matmulForward(a.v[l]!, a.xn1[l]!, w.v, w.vBias, N, C, KV * D);
      be.ropeForward(a.q[l]!, cos, sin, a.positions, N, H, D);
      be.ropeForward(a.k[l]!, cos, sin, a.positions, N, KV, D);
      be.attentionForward(a.ao[l]!, a.att[l]!, a.q[l]!, a.k[l]!, a.v[l]!, B, T, T, H, KV, D, 0, a.holes);
      be.matmulForward(a.x2[l]!, a.ao[l]!, w.o, w.oBias, N, H * D, C);
      be.add(a.x2[l]!, a.x2[l]!, a.resid[l]!, N * C);
      // MLP block: x2 (N,C) -> resid[l+1] (N,C)
      be.rmsnormForward(a.xn2[l]!, a.rstd2[l]!, a.x2[l]!, w.postNorm, N, C, c.rms_norm_eps);
      be.matmulForward(a.gate[l]!, a.xn2[l]!, w.gate, null, N, C, F);
      be.matmulForward(a.up[l]!, a.xn2[l]!, w.up, null, N, C, F);
      be.swigluForward(a.h[l]!, a.gate[l]!, a.up[l]!, N * F);
      be.matmulForward(a.resid[l + 1]!, a.h[l]!, w.down, null, N, F, C);
      be.add(a.resid[l + 1]!, a.resid[l + 1]!, a.x2[l]!, N * C);
    }
    const L = c.num_hidden_layers;
    be.rmsnormForward(a.xf, a.rstdf, a.resid[L]!, this.weight("model.norm.weight"), N, C, c.rms_norm_eps);
    this.headForward(a, allLogits);
    this.forwardDone = true;
    return { logprobs: a.logprobs, entropy: a.entropy };
  }

  /**
   * The LM head and log-softmax. Positions without a target (prompt and padding in RL and SFT batches,
   * often most of them) contribute nothing to the outputs or the gradient, so unless every logit is
   * wanted the head runs on the M positions with a target only, gathered to the front of the buffers.
   */
  private headForward(a: Activations, allLogits: boolean): void {
    const V = this.config.vocab_size;
    const C = this.config.hidden_size;
    const be = this.backend;
    let M = 0;
    if (!allLogits) for (let n = 0; n < a.N; n++) if (a.targets[n]! >= 0) a.headIndex[M++] = n;
    if (allLogits || M === a.N) {
      a.headRows = a.N;
      be.matmulForward(a.logits, a.xf, this.headWeight(), null, a.N, C, V);
      be.logprobForward(a.logprobs, a.entropy, a.lse, a.logits, a.targets, a.N, V);
      return;
    }
    a.headRows = M;
    for (let m = 0; m < M; m++) {
      const n = a.headIndex[m]!;
      a.xfSel.set(a.xf.subarray(n * C, (n + 1) * C), m * C);
      a.targetsSel[m] = a.targets[n]!;
    }
    be.matmulForward(a.logits, a.xfSel, this.headWeight(), null, M, C, V);
    be.logprobForward(a.logprobsSel, a.entropySel, a.lse, a.logits, a.targetsSel, M, V);
    a.logprobs.fill(0);
    a.entropy.fill(0);
    for (let m = 0; m < M; m++) {
      a.logprobs[a.headIndex[m]!] = a.logprobsSel[m]!;
      a.entropy[a.headIndex[m]!] = a.entropySel[m]!;
    }
  }

  /** Backward of headForward: dlogprobs/dentropy (N) -> a.dxn (N,C) and the head weight's grad. */
  private headBackward(a: Activations, dlogprobs: Float32Array, dentropy: Float32Array | undefined): void {
    const V = this.config.vocab_size;
    const C = this.config.hidden_size;
    const be = this.backend;
    const M = a.headRows;
    a.dxn.fill(0);
    if (M === a.N) {
      be.logprobBackward(a.dlogits, a.logits, a.lse, a.targets, dlogprobs, dentropy ?? null, a.N, V);
      be.matmulBackward(a.dxn, this.headGrad(), null, a.dlogits, a.xf, this.headWeight(), a.N, C, V);
      return;
    }
    // logprobsSel / entropySel are free after forward: reuse them for the gathered upstream grads.
    const dlp = a.logprobsSel;
    const dent = dentropy ? a.entropySel : null;
    for (let m = 0; m < M; m++) {
      dlp[m] = dlogprobs[a.headIndex[m]!]!;
      if (dent) dent[m] = dentropy![a.headIndex[m]!]!;
    }
    be.logprobBackward(a.dlogits, a.logits, a.lse, a.targetsSel, dlp, dent, M, V);
    // dxfSel (M,C) accumulates into the front of xfSel's twin: the dresid buffer is free here.
    const dxfSel = a.dresid.subarray(0, M * C);
    dxfSel.fill(0);
    be.matmulBackward(dxfSel, this.headGrad(), null, a.dlogits, a.xfSel, this.headWeight(), M, C, V);
    for (let m = 0; m < M; m++) {
      const n = a.headIndex[m]!;
      a.dxn.set(dxfSel.subarray(m * C, (m + 1) * C), n * C);
    }
  }

  /**
   * Backward of L = sum_t dlogprobs[t] * logprob[t] + sum_t dentropy[t] * entropy[t] through the last
   * forward: dlogprobs[t] = dL/dlogprob_t. Accumulates into the parameter grads (call zeroGrad first
   * unless accumulating micro-batches). Frozen parameters get no gradient.
   */
  backward(dlogprobs: Float32Array, dentropy?: Float32Array): void {
    const a = this.acts;
    if (!a || !this.forwardDone) throw new Error("backward: call forward first");
    const N = a.N;
    if (dlogprobs.length !== N || (dentropy && dentropy.length !== N)) {
      throw new Error(`backward: dlogprobs/dentropy need B*T = ${N} entries`);
    }
    const c = this.config;
    const be = this.backend;
    const B = a.B;
    const T = a.T;
    const C = c.hidden_size;
    const F = c.intermediate_size;
    const H = c.num_attention_heads;
    const KV = c.num_key_value_heads;
    const D = c.head_dim;
    const L = c.num_hidden_layers;
    const { cos, sin } = this.ropeTables(T);

    // head: logprobs -> dlogits (N,V) -> dxf (N,C) -> dresid (N,C)
    this.headBackward(a, dlogprobs, dentropy);
    a.dresid.fill(0);
    be.rmsnormBackward(
      a.dresid,
      this.gradOf("model.norm.weight"),
      a.dxn,
      a.resid[L]!,
      this.weight("model.norm.weight"),
      a.rstdf,
      N,
      C,
    );

    for (let l = L - 1; l >= 0; l--) {
      const w = this.layer(l);
      const g = this.layerGrads(l);
      // MLP block, dresid = dL/d resid[l+1] -> dL/d x2.
      // The first contribution to an activation grad is written by sgemm with beta = 0 (no memset).
      be.sgemm(false, false, N, F, C, 1, a.dresid, C, w.down, F, 0, a.dh, F); // dh (N,F) = dresid @ down
      be.matmulBackward(null, g.down, null, a.dresid, a.h[l]!, w.down, N, F, C);
      a.dgate.fill(0);
      a.dup.fill(0);
      be.swigluBackward(a.dgate, a.dup, a.dh, a.gate[l]!, a.up[l]!, N * F);
      be.sgemm(false, false, N, C, F, 1, a.dgate, F, w.gate, C, 0, a.dxn, C); // dxn (N,C) = dgate @ gate
      be.matmulBackward(null, g.gate, null, a.dgate, a.xn2[l]!, w.gate, N, C, F);
      be.matmulBackward(a.dxn, g.up, null, a.dup, a.xn2[l]!, w.up, N, C, F);
      be.rmsnormBackward(a.dresid, g.postNorm, a.dxn, a.x2[l]!, w.postNorm, a.rstd2[l]!, N, C);
      // attention block, dresid = dL/d x2 -> dL/d resid[l]
      be.sgemm(false, false, N, H * D, C, 1, a.dresid, C, w.o, H * D, 0, a.dao, H * D); // dao = dresid @ o
      be.matmulBackward(null, g.o, g.oBias, a.dresid, a.ao[l]!, w.o, N, H * D, C);
      a.dq.fill(0);
      a.dk.fill(0);
      a.dv.fill(0);
      be.attentionBackward(
        a.dq,
        a.dk,
        a.dv,
        a.dao,
        a.att[l]!,
        a.q[l]!,
        a.k[l]!,
        a.v[l]!,
        B,
        T,
        T,
        H,
        KV,
        D,
        0,
      );
      be.ropeBackward(a.dq, cos, sin, a.positions, N, H, D);
      be.ropeBackward(a.dk, cos, sin, a.positions, N, KV, D);
      be.sgemm(false, false, N, C, H * D, 1, a.dq, H * D, w.q, C, 0, a.dxn, C); // dxn = dq @ q
      be.matmulBackward(null, g.q, g.qBias, a.dq, a.xn1[l]!, w.q, N, C, H * D);
      be.matmulBackward(a.dxn, g.k, g.kBias, a.dk, a.xn1[l]!, w.k, N, C, KV * D);
      be.matmulBackward(a.dxn, g.v, g.vBias, a.dv, a.xn1[l]!, w.v, N, C, KV * D);
      be.rmsnormBackward(a.dresid, g.inputNorm, a.dxn, a.resid[l]!, w.inputNorm, a.rstd1[l]!, N, C);
    }
    const dwte = this.gradOf("model.embed_tokens.weight");
    if (dwte) be.embeddingBackward(dwte, a.dresid, a.tokens, N, C);
  }

  /**
   * Convenience for SFT: masked mean cross-entropy over positions with target >= 0, optionally weighted
   * per position (a weighted mean: sum w * nll / sum w); runs forward and backward (accumulating grads)
   * and returns the loss. `layout` packs several sequences per row (see forward).
   */
  trainStepLoss(
    tokens: Int32Array,
    targets: Int32Array,
    B: number,
    T: number,
    weights?: Float32Array,
    layout?: PackedLayout,
  ): number {
    const { logprobs } = this.forward(tokens, targets, B, T, { layout });
    // mean negative log-prob over target positions, each weighted by `weights[n]` (default 1)
    let total = 0;
    for (let n = 0; n < targets.length; n++) if (targets[n]! >= 0) total += weights ? weights[n]! : 1;
    const d = new Float32Array(B * T);
    let loss = 0;
    if (total > 0) {
      for (let n = 0; n < targets.length; n++) {
        if (targets[n]! < 0) continue;
        const w = weights ? weights[n]! : 1;
        loss -= w * logprobs[n]!;
        d[n] = -w / total;
      }
      loss /= total;
    }
    this.backward(d);
    return loss;
  }

  /** Logits (B,T,V) for tokens (B,T): a fresh copy (for parity tests and simple decoding). */
  logits(tokens: Int32Array, B: number, T: number): Float32Array {
    this.forward(tokens, new Int32Array(B * T).fill(-1), B, T, { allLogits: true });
    return this.acts!.logits.slice();
  }
}
