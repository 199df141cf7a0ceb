// The native backend: a thin wrapper over the N-API addon (build/Release/omni_native.node, built from
// native/ by node-gyp at `npm ci`). Arguments go straight through; the addon checks types and lengths.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Backend, BackendInfo } from "./backend.js";

/** The addon's exports: the Backend kernels plus a few controls. */
interface NativeAddon extends Omit<Backend, "name" | "info"> {
  info(): {
    gemm: "openblas" | "builtin";
    gemmReason: string;
    openblasCoreType?: string;
    blasThreads: number;
    kernelThreads: number;
  };
  setGemm(which: "openblas" | "builtin"): void;
  setKernelThreads(n: number): void;
}

/** Finds build/Release/omni_native.node by walking up from this file to the package root. */
export function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "build", "Release", "omni_native.node");
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, "package.json"))) return null;
    dir = dirname(dir);
  }
  return null;
}

let cachedAddon: NativeAddon | null = null;

/** Loads the addon (once per thread); throws with the reason when it is missing or fails to load. */
export function loadAddon(): NativeAddon {
  if (cachedAddon) return cachedAddon;
  const path = findAddon();
  if (!path) throw new Error("native addon not built (build/Release/omni_native.node missing; run `npm ci`)");
  const require = createRequire(import.meta.url);
  cachedAddon = require(path) as NativeAddon;
  return cachedAddon;
}

export class NativeBackend implements Backend {
  readonly name = "native" as const;
  private readonly addon: NativeAddon;

  // Kernels are the addon's functions themselves: no per-call wrapper cost.
  readonly sgemm: Backend["sgemm"];
  readonly matmulForward: Backend["matmulForward"];
  readonly matmulForwardPacked: Backend["matmulForwardPacked"];
  readonly packLinearWeight: Backend["packLinearWeight"];
  readonly matmulBackward: Backend["matmulBackward"];
  readonly embeddingForward: Backend["embeddingForward"];
  readonly embeddingBackward: Backend["embeddingBackward"];
  readonly rmsnormForward: Backend["rmsnormForward"];
  readonly rmsnormBackward: Backend["rmsnormBackward"];
  readonly ropeForward: Backend["ropeForward"];
  readonly ropeBackward: Backend["ropeBackward"];
  readonly attentionForward: Backend["attentionForward"];
  readonly attentionBackward: Backend["attentionBackward"];
  readonly attentionCached: Backend["attentionCached"];
  readonly swigluForward: Backend["swigluForward"];
  readonly swigluBackward: Backend["swigluBackward"];
  readonly add: Backend["add"];
  readonly softmaxForward: Backend["softmaxForward"];
  readonly logprobForward: Backend["logprobForward"];
  readonly logprobBackward: Backend["logprobBackward"];
  readonly adamwStep: Backend["adamwStep"];
  readonly sumSquares: Backend["sumSquares"];

  constructor(addon: NativeAddon = loadAddon()) {
    this.addon = addon;
    this.sgemm = addon.sgemm;
    this.matmulForward = addon.matmulForward;
    this.matmulForwardPacked = addon.matmulForwardPacked;
    this.packLinearWeight = addon.packLinearWeight;
    this.matmulBackward = addon.matmulBackward;
    this.embeddingForward = addon.embeddingForward;
    this.embeddingBackward = addon.embeddingBackward;
    this.rmsnormForward = addon.rmsnormForward;
    this.rmsnormBackward = addon.rmsnormBackward;
    this.ropeForward = addon.ropeForward;
    this.ropeBackward = addon.ropeBackward;
    this.attentionForward = addon.attentionForward;
    this.attentionBackward = addon.attentionBackward;
    this.attentionCached = addon.attentionCached;
    this.swigluForward = addon.swigluForward;
    this.swigluBackward = addon.swigluBackward;
    this.add = addon.add;
    this.softmaxForward = addon.softmaxForward;
    this.logprobForward = addon.logprobForward;
    this.logprobBackward = addon.logprobBackward;
    this.adamwStep = addon.adamwStep;
    this.sumSquares = addon.sumSquares;
  }

  info(): BackendInfo {
    const i = this.addon.info();
    return {
      backend: "native",
      gemm: i.gemm,
      gemmReason: i.gemmReason,
      ...(i.openblasCoreType ? { openblasCoreType: i.openblasCoreType } : {}),
      threads: { blas: i.blasThreads, kernels: i.kernelThreads },
    };
  }

  /**
   * Switches GEMM for the whole process: "builtin" forces the addon's own GEMM, "openblas" goes back
   * to OpenBLAS when it was found at load (no-op otherwise). OMNI_GEMM=builtin does the same at load.
   */
  setGemm(which: "openblas" | "builtin"): void {
    this.addon.setGemm(which);
  }

  /** Threads for the non-GEMM kernels and the built-in GEMM (default: online CPUs, at most 4). */
  setKernelThreads(n: number): void {
    this.addon.setKernelThreads(n);
  }
}
