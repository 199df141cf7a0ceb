// Built-in GEMM vs OpenBLAS on the training step's GEMM shapes, interleaved in one process, GFLOP/s.
//
//   node dist/bench/gemm-builtin.js [--baseline path/to/other/omni_native.node] [--threads N]
//                                   [--rounds 3] [--min-ms 120] [--quick] [--shapes tiny|M]
//
// Variants per shape, timed one after the other, round after round (best round reported, since a
// shared machine only ever slows a run down):
//   - "base":     the built-in GEMM of another build of the addon (--baseline), e.g. before a change;
//   - "builtin":  this build's built-in GEMM;
//   - "openblas": OpenBLAS as the environment configures it (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS),
//                 when the addon found it.
// --threads sets the built-in GEMM's threads (and the kernel pool's) in both addons; OpenBLAS keeps its
// own thread count. Each variant's output is checked against OpenBLAS (or this build's built-in GEMM).
// Shapes: a batch of M tokens through a linear layer (IC -> OC): forward C = X W^T (nt), input gradient
// dX = dY W (nn), weight gradient dW = dY^T X (tn); plus attention-sized products (serial path).
import { createRequire } from "node:module";
import type { Backend } from "../src/engine/backend.js";
import { findAddon } from "../src/engine/native.js";

/** The addon's raw functions that this benchmark uses. */
interface NativeAddon {
  sgemm: Backend["sgemm"];
  setGemm(which: "openblas" | "builtin"): void;
  setKernelThreads(n: number): void;
  info(): { gemm: string; openblasCoreType?: string; blasThreads: number; kernelThreads: number };
}

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : dflt;
};
if (args.includes("--help")) {
  console.log(
    "usage: node dist/bench/gemm-builtin.js [--baseline addon.node] [--threads N] [--rounds R] [--min-ms T] [--quick] [--shapes tiny|M]",
  );
  process.exit(0);
}
const quick = args.includes("--quick");
const rounds = Number(opt("rounds", quick ? "2" : "3"));
const minMs = Number(opt("min-ms", quick ? "60" : "120"));
const threads = Number(opt("threads", "2"));
const baselinePath = opt("baseline", "");

const require = createRequire(import.meta.url);
const addonPath = findAddon();
if (!addonPath) throw new Error("native addon not built");
const cur = require(addonPath) as NativeAddon;
let base: NativeAddon | null = null;
if (baselinePath) {
  const m = { exports: {} as NativeAddon };
  process.dlopen(m, baselinePath);
  base = m.exports;
  base.setGemm("builtin");
  base.setKernelThreads(threads);
}
cur.setKernelThreads(threads);
cur.setGemm("openblas");
const hasBlas = cur.info().gemm === "openblas";
const blasInfo = cur.info();
cur.setGemm("builtin");

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

type Shape = [label: string, ta: boolean, tb: boolean, M: number, N: number, K: number];
const T = 2048;
const linear = (IC: number, OC: number): Shape[] => [
  [`fwd   ${IC}->${OC}`, false, true, T, OC, IC],
  [`dX    ${IC}->${OC}`, false, false, T, IC, OC],
  [`dW    ${IC}->${OC}`, true, false, OC, IC, T],
];
// "tiny": omni-tiny's layers (d 256, MLP 704, vocab 4096) and attention; "M": bench/engine.ts's shape M.
const shapeSet = opt("shapes", "tiny");
if (shapeSet !== "tiny" && shapeSet !== "M") throw new Error(`--shapes: "${shapeSet}" is not tiny or M`);
const shapes: Shape[] =
  shapeSet === "M"
    ? [...linear(512, 512), ...linear(512, 1376), ...linear(1376, 512), ...linear(512, 2048)]
    : [
        ...linear(256, 256),
        ...linear(256, 704),
        ...linear(704, 256),
        ...linear(256, 4096),
        ["attn QK^T 64x128x64", false, true, 64, 128, 64],
        ["attn PV   64x64x128", false, false, 64, 64, 128],
        ["attn dK   128x64x64", true, false, 128, 64, 64],
        ["odd       1000x333x77", false, true, 1000, 333, 77],
      ];

const results: {
  shape: string;
  M: number;
  N: number;
  K: number;
  gflops: Record<string, number>;
  max_rel_err: number;
}[] = [];

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

interface Variant {
  name: string;
  run: (s: Shape, A: Float32Array, B: Float32Array, C: Float32Array) => void;
}
const call = (addon: NativeAddon) => (s: Shape, A: Float32Array, B: Float32Array, C: Float32Array) => {
  const [, ta, tb, M, N, K] = s;
  addon.sgemm(ta, tb, M, N, K, 1, A, ta ? M : K, B, tb ? K : N, 0, C, N);
};
const variants: Variant[] = [];
if (base) variants.push({ name: "base", run: call(base) });
variants.push({
  name: "builtin",
  run: (s, A, B, C) => {
    cur.setGemm("builtin");
    call(cur)(s, A, B, C);
  },
});
if (hasBlas)
  variants.push({
    name: "openblas",
    run: (s, A, B, C) => {
      cur.setGemm("openblas");
      call(cur)(s, A, B, C);
      cur.setGemm("builtin");
    },
  });

console.log(
  `threads ${threads}; OpenBLAS: ${hasBlas ? `${blasInfo.openblasCoreType} x${blasInfo.blasThreads}` : "not found"}; ` +
    `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "(unset)"}; rounds ${rounds}, >= ${minMs} ms each`,
);
const header = ["shape", "M", "N", "K", ...variants.map((v) => `${v.name} GF/s`)];
if (base) header.push("new/base");
if (hasBlas) header.push("new/blas");
header.push("max rel err");
console.log(header.join("\t"));

for (const s of shapes) {
  const [label, , , M, N, K] = s;
  const A = rand(M * K, 1);
  const B = rand(K * N, 2);
  const flops = 2 * M * N * K;
  const outs = variants.map(() => new Float32Array(M * N));
  const best = variants.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    variants.forEach((v, i) => {
      const C = outs[i]!;
      v.run(s, A, B, C); // warm up (packing buffers, pool threads)
      let reps = 0;
      const t0 = process.hrtime.bigint();
      let ms = 0;
      do {
        v.run(s, A, B, C);
        reps++;
        ms = Number(process.hrtime.bigint() - t0) / 1e6;
      } while (ms < minMs);
      best[i] = Math.max(best[i]!, (flops * reps) / (ms * 1e6));
      sleep(v.name === "openblas" ? 150 : 30); // let spinning BLAS / pool threads go idle
    });
  }
  // every variant against the last one (OpenBLAS when present)
  const want = outs[outs.length - 1]!;
  let err = 0;
  for (const got of outs)
    for (let i = 0; i < got.length; i++)
      err = Math.max(err, Math.abs(got[i]! - want[i]!) / (Math.abs(want[i]!) + 1e-3 * Math.sqrt(K)));
  const iNew = variants.findIndex((v) => v.name === "builtin");
  const row: (string | number)[] = [label, M, N, K, ...best.map((g) => g.toFixed(1))];
  if (base) row.push((best[iNew]! / best[0]!).toFixed(2));
  if (hasBlas) row.push((best[iNew]! / best[best.length - 1]!).toFixed(2));
  row.push(err.toExponential(1));
  console.log(row.join("\t"));
  results.push({
    shape: label.replace(/\s+/g, " "),
    M,
    N,
    K,
    gflops: Object.fromEntries(variants.map((v, i) => [v.name, Math.round(best[i]! * 10) / 10])),
    max_rel_err: err,
  });
}
// geometric mean over shapes of builtin / other, then the machine-readable line
const geomean = (other: string) => {
  const logs = results.map((r) => Math.log(r.gflops.builtin! / r.gflops[other]!));
  return Math.round(Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) * 100) / 100;
};
console.log(
  JSON.stringify({
    bench: "gemm-builtin",
    threads,
    openblas_core: hasBlas ? (blasInfo.openblasCoreType ?? null) : null,
    ...(hasBlas ? { builtin_vs_openblas_geomean: geomean("openblas") } : {}),
    ...(base ? { builtin_vs_baseline_geomean: geomean("base") } : {}),
    shapes: results,
  }),
);
