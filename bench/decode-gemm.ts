// Inference linear layers: the BLAS path (matmulForward, weight (OC, IC), repacked by cblas_sgemm on
// every call) vs the packed-weight path (matmulForwardPacked, weight packed once by packLinearWeight
// and read in place by the addon's gemm_nn.c), side by side at growing row counts. The crossover sets
// usePackedGemm in src/models/kv-cache.ts.
//
//   npm run build && node dist/bench/decode-gemm.js [--rounds 5]
//
// Shapes (IC -> OC) are the projections of bench/engine.ts's S and M models. Each cell is the best of
// `rounds` timings of a loop of calls sized to about 0.2 GFLOP; the two paths alternate per round.
import { parseArgs } from "node:util";
import { packedLinearSize } from "../src/engine/backend.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
const rounds = Number(values.rounds);
const backend = loadBackend("native");
const info = backend.info();
const rng = new Rng(7);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.next() - 0.5);

const SHAPES: [string, number, number][] = [
  ["S q/k/v/o", 256, 256],
  ["S gate/up", 256, 1024],
  ["S down", 1024, 256],
  ["M q/k/v/o", 512, 512],
  ["M gate/up", 512, 1376],
  ["M down", 1376, 512],
];
const ROWS = [1, 8, 32, 64, 128, 256, 512];

function time(f: () => void, flops: number): number {
  const calls = Math.max(3, Math.round(2e8 / flops));
  f(); // warm the caches and the thread pool
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) f();
  return (performance.now() - t0) / calls;
}

interface Cell {
  shape: string;
  rows: number;
  blas_us: number;
  packed_us: number;
  speedup: number;
}
const cells: Cell[] = [];
for (const [shape, IC, OC] of SHAPES) {
  const w = random(OC * IC);
  const wp = new Float32Array(packedLinearSize(IC, OC));
  backend.packLinearWeight(wp, w, OC, IC);
  for (const N of ROWS) {
    const x = random(N * IC);
    const out = new Float32Array(N * OC);
    const flops = 2 * N * IC * OC;
    let blas = Number.POSITIVE_INFINITY;
    let packed = Number.POSITIVE_INFINITY;
    for (let r = 0; r < rounds; r++) {
      blas = Math.min(
        blas,
        time(() => backend.matmulForward(out, x, w, null, N, IC, OC), flops),
      );
      packed = Math.min(
        packed,
        time(() => backend.matmulForwardPacked(out, x, wp, null, N, IC, OC), flops),
      );
    }
    cells.push({
      shape,
      rows: N,
      blas_us: blas * 1e3,
      packed_us: packed * 1e3,
      speedup: blas / packed,
    });
  }
}

console.log(
  `GEMM ${info.gemm}${info.openblasCoreType ? ` (core ${info.openblasCoreType})` : ""}, threads ${JSON.stringify(info.threads)}`,
);
console.log(`| shape (IC -> OC) | ${ROWS.map((n) => `${n} rows`).join(" | ")} |`);
console.log(`|---|${ROWS.map(() => "---").join("|")}|`);
for (const [shape, IC, OC] of SHAPES) {
  const row = cells.filter((c) => c.shape === shape).map((c) => `${c.speedup.toFixed(2)}x`);
  console.log(`| ${shape} (${IC} -> ${OC}) | ${row.join(" | ")} |`);
}
console.log("(cells: BLAS time / packed-path time; above 1x the packed path is faster)");
console.log(
  JSON.stringify({
    bench: "decode-gemm",
    gemm: info.gemm,
    cells: cells.map((c) => ({
      ...c,
      blas_us: Math.round(c.blas_us * 10) / 10,
      packed_us: Math.round(c.packed_us * 10) / 10,
      speedup: Math.round(c.speedup * 1000) / 1000,
    })),
  }),
);
