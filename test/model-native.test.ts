// The native backend agrees with the reference backend, kernel by kernel and on a whole model's forward
// and backward, with OpenBLAS GEMM (when present) and with the addon's built-in GEMM.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { type Backend, packedLinearSize, ropeTable } from "../src/engine/backend.js";
import { findAddon, NativeBackend } from "../src/engine/native.js";
import { ReferenceBackend } from "../src/engine/reference.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";
import { maxRelDiff, randomArray } from "./helpers/gradcheck.js";
import { withGemm } from "./helpers/with-gemm.js";

const skip = findAddon() ? false : "native addon not built (npm ci builds it)";
const ref = new ReferenceBackend();
const gemms = ["openblas", "builtin"] as const;

function close(label: string, got: Float32Array, want: Float32Array, tol = 2e-5): void {
  const d = maxRelDiff(got, want);
  assert.ok(d <= tol, `${label}: max relative difference ${d.toExponential(3)} > ${tol}`);
}

/** Runs `f` on both backends with identical inputs (cloned), returning both sets of outputs. */
function both(native: Backend, make: () => Float32Array[], f: (be: Backend, xs: Float32Array[]) => void) {
  const a = make();
  const b = a.map((x) => x.slice());
  f(ref, a);
  f(native, b);
  return { ref: a, nat: b };
}

for (const gemm of gemms) {
  test(`native kernels match the reference (GEMM: ${gemm})`, { skip }, () => {
    const nb = new NativeBackend();
    withGemm(nb, gemm, () => {
      if (gemm === "builtin") assert.equal(nb.info().gemm, "builtin");
      const rng = new Rng(1);
      // sgemm with every transpose combination, padded leading dimensions, beta 0 / 1 / 0.5
      for (const [ta, tb, beta] of [
        [false, false, 0],
        [false, true, 1],
        [true, false, 0.5],
        [true, true, 1],
      ] as const) {
        const M = 37;
        const N = 45;
        const K = 300; // > one K block of the built-in GEMM
        const lda = (ta ? M : K) + 3;
        const ldb = (tb ? K : N) + 2;
        const ldc = N + 5;
        const r = both(
          nb,
          () => [
            randomArray(rng, (ta ? K : M) * lda),
            randomArray(rng, (tb ? N : K) * ldb),
            randomArray(rng, M * ldc),
          ],
          (be, [A, B, C]) => be.sgemm(ta, tb, M, N, K, 0.7, A!, lda, B!, ldb, beta, C!, ldc),
        );
        close(`sgemm ta=${ta} tb=${tb}`, r.nat[2]!, r.ref[2]!);
      }
      // a product big enough to use the built-in GEMM's threads
      {
        const M = 130;
        const N = 260;
        const K = 270;
        const r = both(
          nb,
          () => [randomArray(rng, M * K), randomArray(rng, N * K), new Float32Array(M * N).fill(Number.NaN)],
          (be, [A, B, C]) => be.sgemm(false, true, M, N, K, 1, A!, K, B!, K, 0, C!, N),
        );
        close("sgemm large, beta 0 over NaN", r.nat[2]!, r.ref[2]!);
      }
      const N = 6;
      const C = 8;
      const r1 = both(
        nb,
        () => [
          new Float32Array(N * 5),
          randomArray(rng, N * C),
          randomArray(rng, 5 * C),
          randomArray(rng, 5),
        ],
        (be, [out, inp, w, bias]) => be.matmulForward(out!, inp!, w!, bias!, N, C, 5),
      );
      close("matmulForward", r1.nat[0]!, r1.ref[0]!);
      // the packed-weight linear (decode GEMM): full and partial 64-column panels, partial 6-row
      // blocks, K over one 128 block, with and without bias, over NaN-filled outputs; and the packing
      for (const [rows, IC, OC, withBias] of [
        [1, 8, 5, true],
        [7, 300, 200, false],
        [32, 64, 128, true],
        [13, 129, 70, true],
      ] as const) {
        const r = both(
          nb,
          () => [
            new Float32Array(rows * OC).fill(Number.NaN),
            randomArray(rng, rows * IC),
            randomArray(rng, OC * IC),
            randomArray(rng, OC),
            new Float32Array(packedLinearSize(IC, OC)).fill(Number.NaN),
          ],
          (be, [out, inp, w, bias, packed]) => {
            be.packLinearWeight(packed!, w!, OC, IC);
            be.matmulForwardPacked(out!, inp!, packed!, withBias ? bias! : null, rows, IC, OC);
          },
        );
        close(`packLinearWeight ${OC}x${IC}`, r.nat[4]!, r.ref[4]!, 0);
        close(`matmulForwardPacked ${rows}x${IC}x${OC}`, r.nat[0]!, r.ref[0]!);
        const direct = new Float32Array(rows * OC);
        ref.matmulForward(direct, r.ref[1]!, r.ref[2]!, withBias ? r.ref[3]! : null, rows, IC, OC);
        close(`matmulForwardPacked = matmulForward ${rows}x${IC}x${OC}`, r.ref[0]!, direct, 1e-6);
      }
      const r2 = both(
        nb,
        () => [
          randomArray(rng, N * C),
          randomArray(rng, 5 * C),
          randomArray(rng, 5),
          randomArray(rng, N * 5),
          randomArray(rng, N * C),
          randomArray(rng, 5 * C),
        ],
        (be, [di, dw, db, dout, inp, w]) => be.matmulBackward(di!, dw!, db!, dout!, inp!, w!, N, C, 5),
      );
      for (let i = 0; i < 3; i++) close(`matmulBackward ${i}`, r2.nat[i]!, r2.ref[i]!);
      const r3 = both(
        nb,
        () => [
          new Float32Array(N * C),
          new Float32Array(N),
          randomArray(rng, N * C),
          randomArray(rng, C),
          randomArray(rng, N * C),
          new Float32Array(N * C),
          randomArray(rng, C),
        ],
        (be, [out, rstd, inp, w, dout, dinp, dw]) => {
          be.rmsnormForward(out!, rstd!, inp!, w!, N, C, 1e-6);
          be.rmsnormBackward(dinp!, dw!, dout!, inp!, w!, rstd!, N, C);
        },
      );
      for (const i of [0, 1, 5, 6]) close(`rmsnorm ${i}`, r3.nat[i]!, r3.ref[i]!);
      const { cos, sin } = ropeTable(64, C, 10000);
      const pos = Int32Array.from({ length: N }, (_, i) => i * 7);
      const r4 = both(
        nb,
        () => [randomArray(rng, N * 2 * C), randomArray(rng, N * 2 * C)],
        (be, [x, dx]) => {
          be.ropeForward(x!, cos, sin, pos, N, 2, C);
          be.ropeBackward(dx!, cos, sin, pos, N, 2, C);
        },
      );
      close("ropeForward", r4.nat[0]!, r4.ref[0]!);
      close("ropeBackward", r4.nat[1]!, r4.ref[1]!);
      const n = 1000;
      const r5 = both(
        nb,
        () => [
          new Float32Array(n),
          randomArray(rng, n, 4),
          randomArray(rng, n),
          randomArray(rng, n),
          randomArray(rng, n),
          randomArray(rng, n),
        ],
        (be, [out, g, u, dout, dg, du]) => {
          be.swigluForward(out!, g!, u!, n);
          be.swigluBackward(dg!, du!, dout!, g!, u!, n);
        },
      );
      for (const i of [0, 4, 5]) close(`swiglu ${i}`, r5.nat[i]!, r5.ref[i]!);
      const V = 300;
      const targets = Int32Array.from({ length: N }, (_, i) => (i === 2 ? -1 : (i * 37) % V));
      const r6 = both(
        nb,
        () => [
          new Float32Array(N),
          new Float32Array(N),
          new Float32Array(N),
          randomArray(rng, N * V, 3),
          randomArray(rng, N),
          randomArray(rng, N),
          new Float32Array(N * V),
          new Float32Array(N * V),
        ],
        (be, [lp, ent, lse, z, dlp, dent, dz, p]) => {
          be.logprobForward(lp!, ent!, lse!, z!, targets, N, V);
          be.logprobBackward(dz!, z!, lse!, targets, dlp!, dent!, N, V);
          be.softmaxForward(p!, z!, N, V, 0.7);
        },
      );
      for (const i of [0, 1, 2, 6, 7]) close(`logprob ${i}`, r6.nat[i]!, r6.ref[i]!, 5e-5);
      // a batch big enough for the kernel thread pool (the sampler's per-step softmax)
      const rs = both(
        nb,
        () => [new Float32Array(64 * 1000), randomArray(rng, 64 * 1000, 4)],
        (be, [p, z]) => be.softmaxForward(p!, z!, 64, 1000, 0.8),
      );
      close("softmax 64 x 1000", rs.nat[0]!, rs.ref[0]!, 5e-5);
      const r7 = both(
        nb,
        () => [
          randomArray(rng, n),
          randomArray(rng, n),
          randomArray(rng, n, 0.1),
          randomArray(rng, n, 0.1).map(Math.abs),
        ],
        (be, [p, g, m, v]) => be.adamwStep(p!, g!, m!, v!, n, 1e-2, 0.9, 0.95, 1e-8, 0.1, 3, 0.5),
      );
      for (const i of [0, 2, 3]) close(`adamw ${i}`, r7.nat[i]!, r7.ref[i]!, 1e-5);
      const x = randomArray(rng, 10001);
      assert.ok(Math.abs(nb.sumSquares(x, x.length) / ref.sumSquares(x, x.length) - 1) < 1e-5);
    });
  });

  test(`native attention (GQA, KV-cache offsets) matches the reference (GEMM: ${gemm})`, { skip }, () => {
    const nb = new NativeBackend();
    withGemm(nb, gemm, () => {
      const rng = new Rng(2);
      for (const { Tq, Tk, qPos0 } of [
        { Tq: 9, Tk: 9, qPos0: 0 },
        { Tq: 3, Tk: 9, qPos0: 6 },
        { Tq: 1, Tk: 9, qPos0: 8 },
      ]) {
        const B = 2;
        const H = 6;
        const KV = 2;
        const D = 8;
        const r = both(
          nb,
          () => [
            new Float32Array(B * Tq * H * D),
            new Float32Array(B * H * Tq * Tk),
            randomArray(rng, B * Tq * H * D),
            randomArray(rng, B * Tk * KV * D),
            randomArray(rng, B * Tk * KV * D),
            randomArray(rng, B * Tq * H * D),
            randomArray(rng, B * Tq * H * D),
            randomArray(rng, B * Tk * KV * D),
            randomArray(rng, B * Tk * KV * D),
          ],
          (be, [out, att, q, k, v, dout, dq, dk, dv]) => {
            be.attentionForward(out!, att!, q!, k!, v!, B, Tq, Tk, H, KV, D, qPos0);
            be.attentionBackward(dq!, dk!, dv!, dout!, att!, q!, k!, v!, B, Tq, Tk, H, KV, D, qPos0);
          },
        );
        for (const [i, name] of [
          [0, "out"],
          [1, "att"],
          [6, "dq"],
          [7, "dk"],
          [8, "dv"],
        ] as const) {
          close(`attention Tq=${Tq} ${name}`, r.nat[i]!, r.ref[i]!);
        }
      }
    });
  });

  test(`a GQA + bias model has the same log-probs, entropies and every gradient on native and reference (GEMM: ${gemm})`, {
    skip,
  }, () => {
    const nb = new NativeBackend();
    withGemm(nb, gemm, () => {
      const config = makeConfig({
        architectures: ["Qwen2ForCausalLM"],
        vocab_size: 67,
        hidden_size: 48,
        intermediate_size: 80,
        num_hidden_layers: 2,
        num_attention_heads: 6,
        num_key_value_heads: 2,
      });
      const a = LlamaModel.create(config, { seed: 9, backend: ref, initStd: 0.1 });
      const b = LlamaModel.create(config, { seed: 9, backend: nb, initStd: 0.1 });
      const rng = new Rng(3);
      const B = 3;
      const T = 11;
      const tokens = Int32Array.from({ length: B * T }, () => rng.int(67));
      const targets = Int32Array.from({ length: B * T }, (_, i) => (i % 5 === 0 ? -1 : rng.int(67)));
      const wl = randomArray(rng, B * T);
      const we = randomArray(rng, B * T);
      const fa = a.forward(tokens, targets, B, T);
      const fb = b.forward(tokens, targets, B, T);
      close("logprobs", fb.logprobs, fa.logprobs, 1e-5);
      close("entropy", fb.entropy, fa.entropy, 1e-5);
      a.zeroGrad();
      b.zeroGrad();
      a.backward(wl, we);
      b.backward(wl, we);
      for (const [name, p] of a.params) close(`grad ${name}`, b.params.get(name)!.grad!, p.grad!, 1e-4);
    });
  });
}

for (const choice of ["builtin", "openblas"] as const) {
  test(`OMNI_GEMM=${choice} makes a fresh process use that GEMM (when present), and it computes correctly`, {
    skip,
  }, () => {
    // a child process, because OMNI_GEMM is read once when the addon loads
    const nativeUrl = new URL("../src/engine/native.js", import.meta.url).href;
    const code = `
    import { NativeBackend } from ${JSON.stringify(nativeUrl)};
    const be = new NativeBackend();
    const M = 70, N = 90, K = 333;
    const A = new Float32Array(M * K).map((_, i) => Math.sin(i));
    const B = new Float32Array(K * N).map((_, i) => Math.cos(i));
    const C = new Float32Array(M * N);
    be.sgemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N);
    let maxAbsDiff = 0;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += A[i * K + p] * B[p * N + j];
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(s - C[i * N + j]));
    }
    console.log(JSON.stringify({ gemm: be.info().gemm, maxAbsDiff }));
  `;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], {
      env: { ...process.env, OMNI_GEMM: choice },
      encoding: "utf8",
    });
    const probe = JSON.parse(out.trim()) as { gemm: string; maxAbsDiff: number };
    // without OpenBLAS on the machine, OMNI_GEMM=openblas falls back to the built-in GEMM
    const openblasHere = new NativeBackend().info().openblasCoreType !== undefined;
    assert.equal(probe.gemm, choice === "openblas" && !openblasHere ? "builtin" : choice);
    assert.ok(
      probe.maxAbsDiff < 1e-3,
      `${probe.gemm} GEMM differs from the float64 product by ${probe.maxAbsDiff}`,
    );
  });
}

test("native kernels reject short arrays, wrong types and out-of-range ids instead of reading out of bounds", {
  skip,
}, () => {
  const nb = new NativeBackend();
  assert.throws(
    () => nb.matmulForward(new Float32Array(3), new Float32Array(4), new Float32Array(4), null, 2, 2, 2),
    RangeError,
  );
  assert.throws(
    () => nb.embeddingForward(new Float32Array(4), Int32Array.from([0, 5]), new Float32Array(8), 2, 2),
    /token id 5 at index 1/,
  );
  assert.throws(
    () => nb.add(new Float64Array(2) as unknown as Float32Array, new Float32Array(2), new Float32Array(2), 2),
    /expected a Float32Array/,
  );
  assert.throws(
    () =>
      nb.logprobForward(
        new Float32Array(1),
        new Float32Array(1),
        new Float32Array(1),
        new Float32Array(3),
        Int32Array.from([3]),
        1,
        3,
      ),
    /target 3/,
  );
});
