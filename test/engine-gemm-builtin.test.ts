// The addon's built-in GEMM (OMNI_GEMM=builtin's path) against a float64 product: every transpose
// combination, tiny and odd sizes that leave partial register tiles, sizes that cross its K / M / N
// cache blocks and its threading threshold, padded leading dimensions, K = 0, alpha 0, and beta 0 (over
// NaN), 1 and other values. Also: results are bitwise identical run to run and for 1 or 2 threads.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findAddon, NativeBackend } from "../src/engine/native.js";
import { Rng } from "../src/engine/rng.js";
import { randomArray } from "./helpers/gradcheck.js";
import { withGemm } from "./helpers/with-gemm.js";

const skip = findAddon() ? false : "native addon not built (npm ci builds it)";

interface Case {
  ta: boolean;
  tb: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  pad: [number, number, number]; // extra columns of lda, ldb, ldc
}

interface Operands {
  A: Float32Array;
  B: Float32Array;
  C: Float32Array;
  lda: number;
  ldb: number;
  ldc: number;
}

function operands(rng: Rng, c: Case): Operands {
  const lda = (c.ta ? c.M : c.K) + c.pad[0];
  const ldb = (c.tb ? c.K : c.N) + c.pad[1];
  const ldc = c.N + c.pad[2];
  const A = randomArray(rng, (c.ta ? c.K : c.M) * lda);
  const B = randomArray(rng, (c.tb ? c.N : c.K) * ldb);
  const C = c.beta === 0 ? new Float32Array(c.M * ldc).fill(Number.NaN) : randomArray(rng, c.M * ldc);
  return { A, B, C, lda, ldb, ldc };
}

/** Checks C against alpha op(A) op(B) + beta C0 in float64, within float32 summation error (~K eps). */
function check(label: string, c: Case, o: Operands, C0: Float32Array): void {
  const { A, B, C, lda, ldb, ldc } = o;
  const eps = 2 ** -24;
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < c.N; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < c.K; p++) {
        const a = c.ta ? A[p * lda + i]! : A[i * lda + p]!;
        const b = c.tb ? B[j * ldb + p]! : B[p * ldb + j]!;
        s += a * b;
        abs += Math.abs(a * b);
      }
      const c0 = c.beta === 0 ? 0 : C0[i * ldc + j]!; // beta 0 ignores C (NaN here)
      const want = c.alpha * s + c.beta * c0;
      const bound = 2 * (c.K + 3) * eps * (Math.abs(c.alpha) * abs + Math.abs(c.beta * c0)) + 1e-30;
      const got = C[i * ldc + j]!;
      if (!(Math.abs(got - want) <= bound))
        assert.fail(`${label}: C[${i},${j}] = ${got}, want ${want} (bound ${bound.toExponential(2)})`);
    }
    // padding columns past N are never written
    for (let j = c.N; j < ldc; j++) {
      const before = C0[i * ldc + j]!;
      const after = C[i * ldc + j]!;
      assert.ok(Object.is(before, after), `${label}: padding C[${i},${j}] changed`);
    }
  }
}

function run(nb: NativeBackend, c: Case, o: Operands): Float32Array {
  const C = o.C.slice();
  nb.sgemm(c.ta, c.tb, c.M, c.N, c.K, c.alpha, o.A, o.lda, o.B, o.ldb, c.beta, C, o.ldc);
  return C;
}

const label = (c: Case) =>
  `ta=${c.ta} tb=${c.tb} ${c.M}x${c.N}x${c.K} alpha=${c.alpha} beta=${c.beta} pad=${c.pad.join(",")}`;

test("built-in GEMM matches a float64 product over transposes, odd shapes, strides, alpha and beta", {
  skip,
}, () => {
  const nb = new NativeBackend();
  withGemm(nb, "builtin", () => {
    assert.equal(nb.info().gemm, "builtin");
    const rng = new Rng(7);
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [1, 17, 5],
      [13, 1, 9],
      [5, 7, 3],
      [12, 32, 1],
      [11, 31, 33],
      [25, 65, 40],
      [37, 45, 300], // more than one K block
      [150, 70, 20], // more than one M block
      [64, 128, 64], // attention-sized
      [157, 530, 257], // N and K past one block, partial tiles at both edges; threaded
      [600, 48, 130], // threaded over rows
    ];
    const scalars: [number, number][] = [
      [1, 0],
      [0.7, 1],
      [-1.3, 0.5],
    ];
    let n = 0;
    for (const [M, N, K] of sizes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const [alpha, beta] = scalars[n % scalars.length]!;
          const pad: [number, number, number] = n % 2 ? [3, 5, 2] : [0, 0, 0];
          n++;
          const c: Case = { ta, tb, M, N, K, alpha, beta, pad };
          const o = operands(rng, c);
          const C = run(nb, c, o);
          check(label(c), c, { ...o, C }, o.C);
        }
      }
    }
    // K = 0 and alpha = 0: C = beta C (beta 0 clears NaN)
    for (const [K, alpha, beta] of [
      [0, 1, 0],
      [0, 1, 0.5],
      [9, 0, 0],
      [9, 0, 2],
      [0, 1, 1],
    ] as const) {
      const c: Case = { ta: false, tb: true, M: 7, N: 19, K, alpha, beta, pad: [1, 1, 3] };
      const o = operands(rng, c);
      const C = run(nb, c, o);
      check(label(c), c, { ...o, C }, o.C);
    }
  });
});

test("built-in GEMM is deterministic: bitwise equal run to run and for 1 or 2 threads", { skip }, () => {
  const nb = new NativeBackend();
  const threads = nb.info().threads.kernels;
  try {
    withGemm(nb, "builtin", () => {
      const rng = new Rng(11);
      for (const c of [
        { ta: false, tb: true, M: 300, N: 200, K: 530, alpha: 1, beta: 0, pad: [0, 0, 0] },
        { ta: false, tb: false, M: 70, N: 611, K: 270, alpha: 0.5, beta: 1, pad: [2, 0, 1] },
        { ta: true, tb: false, M: 333, N: 96, K: 700, alpha: 1, beta: 0.25, pad: [0, 4, 0] },
      ] as Case[]) {
        const o = operands(rng, c);
        nb.setKernelThreads(2);
        const first = run(nb, c, o);
        const again = run(nb, c, o);
        nb.setKernelThreads(1);
        const serial = run(nb, c, o);
        assert.deepEqual(again, first, `${label(c)}: two runs differ`);
        assert.deepEqual(serial, first, `${label(c)}: 1 thread differs from 2`);
        check(label(c), c, { ...o, C: first }, o.C);
      }
    });
  } finally {
    nb.setKernelThreads(threads);
  }
});
