// AdamW (decoupled weight decay, Loshchilov & Hutter) over named parameters, with global-norm gradient
// clipping. Defaults follow torch.optim.AdamW (betas 0.9/0.999, eps 1e-8, weight decay 0.01), except
// that 1-D parameters (norm weights, biases) get no weight decay unless `noDecay` says otherwise.
// Frozen parameters (grad === null) are skipped entirely.
import type { Backend } from "./backend.js";
import type { ParamTensor } from "./param.js";

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /**
   * Parameters exempt from weight decay: name patterns ("*" = any run of characters) or RegExps.
   * Default: every parameter with a 1-D shape (norm weights and biases).
   */
  noDecay?: (string | RegExp)[];
}

/** Checkpointable optimizer state. m and v are keyed by parameter name. */
export interface AdamWState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

function toRegExp(p: string | RegExp): RegExp {
  if (p instanceof RegExp) return p;
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/** sqrt(sum of squared grads) over unfrozen parameters, accumulated in float64. */
export function globalGradNorm(params: Iterable<ParamTensor>, backend: Backend): number {
  let ss = 0;
  for (const p of params) if (p.grad) ss += backend.sumSquares(p.grad, p.grad.length);
  return Math.sqrt(ss);
}

/** The factor that brings a gradient of norm `norm` down to at most `maxNorm` (1 when already inside). */
export function clipFactor(norm: number, maxNorm: number): number {
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

/** Scales all grads in place so their global norm is at most maxNorm; returns the pre-clip norm. */
export function clipGradNorm(params: Iterable<ParamTensor>, maxNorm: number, backend: Backend): number {
  const list = [...params];
  const norm = globalGradNorm(list, backend);
  const f = clipFactor(norm, maxNorm);
  if (f !== 1) for (const p of list) if (p.grad) for (let i = 0; i < p.grad.length; i++) p.grad[i]! *= f;
  return norm;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly params: ParamTensor[];
  private readonly decays: Map<string, boolean>;
  private stepCount = 0;
  private m = new Map<string, Float32Array>();
  private v = new Map<string, Float32Array>();

  constructor(
    params: Map<string, ParamTensor> | Iterable<ParamTensor>,
    private readonly backend: Backend,
    opts: AdamWOptions = {},
  ) {
    this.params = params instanceof Map ? [...params.values()] : [...params];
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    const noDecay = opts.noDecay?.map(toRegExp);
    this.decays = new Map(
      this.params.map((p) => [p.name, noDecay ? !noDecay.some((re) => re.test(p.name)) : p.shape.length > 1]),
    );
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.stepCount;
  }

  /** Whether weight decay applies to the named parameter. */
  appliesDecay(name: string): boolean {
    return this.decays.get(name) ?? false;
  }

  /**
   * One update with learning rate lr from the current grads. With maxGradNorm, grads are clipped to that
   * global norm first (the grads themselves are left unscaled). Returns the pre-clip global grad norm.
   */
  update(lr: number, maxGradNorm?: number): number {
    const norm = globalGradNorm(this.params, this.backend);
    const scale = maxGradNorm === undefined ? 1 : clipFactor(norm, maxGradNorm);
    this.stepCount++;
    for (const p of this.params) {
      if (!p.grad) continue;
      let m = this.m.get(p.name);
      let v = this.v.get(p.name);
      if (!m || !v) {
        m = new Float32Array(p.data.length);
        v = new Float32Array(p.data.length);
        this.m.set(p.name, m);
        this.v.set(p.name, v);
      }
      const wd = this.decays.get(p.name) ? this.weightDecay : 0;
      this.backend.adamwStep(
        p.data,
        p.grad,
        m,
        v,
        p.data.length,
        lr,
        this.beta1,
        this.beta2,
        this.eps,
        wd,
        this.stepCount,
        scale,
      );
    }
    return norm;
  }

  /** A copy of the state for checkpoints. */
  exportState(): AdamWState {
    const copy = (src: Map<string, Float32Array>) =>
      new Map([...src].map(([k, a]) => [k, a.slice()] as const));
    return { step: this.stepCount, m: copy(this.m), v: copy(this.v) };
  }

  /** Restores a state from exportState (or a checkpoint); errors name a mismatched parameter. */
  importState(state: AdamWState): void {
    const byName = new Map(this.params.map((p) => [p.name, p]));
    for (const which of ["m", "v"] as const) {
      for (const [name, arr] of state[which]) {
        const p = byName.get(name);
        if (!p) throw new Error(`optimizer state: ${which}["${name}"] names no parameter of this model`);
        if (arr.length !== p.data.length) {
          throw new Error(
            `optimizer state: ${which}["${name}"] has ${arr.length} elements, parameter has ${p.data.length}`,
          );
        }
      }
    }
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new Error(`optimizer state: bad step ${state.step}`);
    this.stepCount = state.step;
    this.m = new Map([...state.m].map(([k, a]) => [k, a.slice()] as const));
    this.v = new Map([...state.v].map(([k, a]) => [k, a.slice()] as const));
  }
}
