// Finite-difference gradient checks of every layer kernel on the reference (float64-accumulating)
// backend. Each layer gets a scalar loss L = sum(out * R) for a fixed random R, so dout = R.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ropeTable } from "../src/engine/backend.js";
import { ReferenceBackend } from "../src/engine/reference.js";
import { Rng } from "../src/engine/rng.js";
import { checkGradient, dot, randomArray } from "./helpers/gradcheck.js";

const be = new ReferenceBackend();

test("linear layer: grads of input, weight and bias match finite differences", () => {
  const rng = new Rng(1);
  const N = 3;
  const IC = 4;
  const OC = 5;
  const inp = randomArray(rng, N * IC);
  const w = randomArray(rng, OC * IC);
  const bias = randomArray(rng, OC);
  const R = randomArray(rng, N * OC);
  const out = new Float32Array(N * OC);
  const loss = () => {
    be.matmulForward(out, inp, w, bias, N, IC, OC);
    return dot(out, R);
  };
  const dinp = new Float32Array(N * IC);
  const dw = new Float32Array(OC * IC);
  const db = new Float32Array(OC);
  be.matmulBackward(dinp, dw, db, R, inp, w, N, IC, OC);
  checkGradient("dinp", inp, dinp, loss);
  checkGradient("dweight", w, dw, loss);
  checkGradient("dbias", bias, db, loss);
});

test("embedding: the table's grad is the scatter-sum of dout by token, repeated tokens included", () => {
  const rng = new Rng(2);
  const V = 4;
  const C = 3;
  const tokens = Int32Array.from([1, 3, 1]);
  const wte = randomArray(rng, V * C);
  const R = randomArray(rng, 3 * C);
  const out = new Float32Array(3 * C);
  const dwte = new Float32Array(V * C);
  be.embeddingBackward(dwte, R, tokens, 3, C);
  checkGradient("dwte", wte, dwte, () => {
    be.embeddingForward(out, tokens, wte, 3, C);
    return dot(out, R);
  });
  assert.deepEqual(Array.from(dwte.subarray(0, C)), [0, 0, 0]);
});

test("RMSNorm: grads of input and weight match finite differences", () => {
  const rng = new Rng(3);
  const N = 3;
  const C = 6;
  const inp = randomArray(rng, N * C);
  const w = randomArray(rng, C);
  const R = randomArray(rng, N * C);
  const out = new Float32Array(N * C);
  const rstd = new Float32Array(N);
  const loss = () => {
    be.rmsnormForward(out, rstd, inp, w, N, C, 1e-5);
    return dot(out, R);
  };
  loss();
  const dinp = new Float32Array(N * C);
  const dw = new Float32Array(C);
  be.rmsnormBackward(dinp, dw, R, inp, w, rstd, N, C);
  checkGradient("dinp", inp, dinp, loss);
  checkGradient("dweight", w, dw, loss);
});

test("RoPE: backward is the inverse rotation and matches finite differences", () => {
  const rng = new Rng(4);
  const N = 4;
  const nh = 2;
  const D = 8;
  const { cos, sin } = ropeTable(16, D, 10000);
  const positions = Int32Array.from([0, 3, 7, 15]);
  const x = randomArray(rng, N * nh * D);
  const R = randomArray(rng, N * nh * D);
  const work = new Float32Array(x.length);
  const loss = () => {
    work.set(x);
    be.ropeForward(work, cos, sin, positions, N, nh, D);
    return dot(work, R);
  };
  const dx = R.slice();
  be.ropeBackward(dx, cos, sin, positions, N, nh, D);
  checkGradient("dx", x, dx, loss);
  // position 0 is the identity
  work.set(x);
  be.ropeForward(work, cos, sin, positions, N, nh, D);
  assert.deepEqual(Array.from(work.subarray(0, nh * D)), Array.from(x.subarray(0, nh * D)));
});

for (const { H, KV, Tq, Tk, qPos0, label } of [
  { H: 2, KV: 2, Tq: 4, Tk: 4, qPos0: 0, label: "multi-head, training shape" },
  { H: 4, KV: 2, Tq: 4, Tk: 4, qPos0: 0, label: "grouped-query (H=4, KV=2)" },
  { H: 4, KV: 1, Tq: 2, Tk: 5, qPos0: 3, label: "multi-query over a KV cache (Tq=2 new of Tk=5)" },
]) {
  test(`causal attention, ${label}: grads of q, k and v match finite differences`, () => {
    const rng = new Rng(5);
    const B = 2;
    const D = 4;
    const q = randomArray(rng, B * Tq * H * D);
    const k = randomArray(rng, B * Tk * KV * D);
    const v = randomArray(rng, B * Tk * KV * D);
    const R = randomArray(rng, B * Tq * H * D);
    const out = new Float32Array(q.length);
    const att = new Float32Array(B * H * Tq * Tk);
    const loss = () => {
      be.attentionForward(out, att, q, k, v, B, Tq, Tk, H, KV, D, qPos0);
      return dot(out, R);
    };
    loss();
    const dq = new Float32Array(q.length);
    const dk = new Float32Array(k.length);
    const dv = new Float32Array(v.length);
    be.attentionBackward(dq, dk, dv, R, att, q, k, v, B, Tq, Tk, H, KV, D, qPos0);
    checkGradient("dq", q, dq, loss);
    checkGradient("dk", k, dk, loss);
    checkGradient("dv", v, dv, loss);
    // causal: probabilities above the diagonal are exactly 0, each row sums to 1
    for (let t = 0; t < Tq; t++) {
      let sum = 0;
      for (let j = 0; j < Tk; j++) {
        const p = att[t * Tk + j]!;
        if (j > qPos0 + t) assert.equal(p, 0);
        sum += p;
      }
      assert.ok(Math.abs(sum - 1) < 1e-6);
    }
  });
}

test("RoPE follows HF rotate_half: dims i and i+D/2 rotate by pos * theta^(-2i/D)", () => {
  const D = 4;
  const { cos, sin } = ropeTable(4, D, 10000);
  const x = Float32Array.from([1, 1, 0, 0]);
  be.ropeForward(x, cos, sin, Int32Array.from([2]), 1, 1, D);
  // pair (0,2) turns by 2 rad, pair (1,3) by 2 * 10000^(-1/2) = 0.02 rad
  const expected = [Math.cos(2), Math.cos(0.02), Math.sin(2), Math.sin(0.02)];
  for (let i = 0; i < D; i++) assert.ok(Math.abs(x[i]! - expected[i]!) < 1e-6, `x[${i}] = ${x[i]}`);
});

test("SwiGLU: grads of gate and up match finite differences", () => {
  const rng = new Rng(6);
  const n = 12;
  const gate = randomArray(rng, n, 2);
  const up = randomArray(rng, n);
  const R = randomArray(rng, n);
  const out = new Float32Array(n);
  const loss = () => {
    be.swigluForward(out, gate, up, n);
    return dot(out, R);
  };
  const dg = new Float32Array(n);
  const du = new Float32Array(n);
  be.swigluBackward(dg, du, R, gate, up, n);
  checkGradient("dgate", gate, dg, loss);
  checkGradient("dup", up, du, loss);
});

test("log-prob and entropy: dlogits matches finite differences; ignored targets give 0", () => {
  const rng = new Rng(7);
  const N = 4;
  const V = 6;
  const logits = randomArray(rng, N * V, 2);
  const targets = Int32Array.from([2, -1, 5, 0]);
  const wl = randomArray(rng, N);
  const we = randomArray(rng, N);
  const lp = new Float32Array(N);
  const ent = new Float32Array(N);
  const lse = new Float32Array(N);
  const loss = () => {
    be.logprobForward(lp, ent, lse, logits, targets, N, V);
    return dot(lp, wl) + dot(ent, we);
  };
  loss();
  assert.equal(lp[1], 0);
  assert.equal(ent[1], 0);
  // entropy is within [0, log V]
  for (const n of [0, 2, 3]) assert.ok(ent[n]! > 0 && ent[n]! < Math.log(V));
  const dlogits = new Float32Array(N * V).fill(99);
  be.logprobBackward(dlogits, logits, lse, targets, wl, we, N, V);
  checkGradient("dlogits", logits, dlogits, loss);
  assert.deepEqual(Array.from(dlogits.subarray(V, 2 * V)), [0, 0, 0, 0, 0, 0]);
});

test("softmax with temperature sums to 1 and sharpens as temperature falls", () => {
  const logits = Float32Array.from([1, 2, 3]);
  const hot = new Float32Array(3);
  const cold = new Float32Array(3);
  be.softmaxForward(hot, logits, 1, 3, 1);
  be.softmaxForward(cold, logits, 1, 3, 0.5);
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0]! + e[1]! + e[2]!;
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(hot[j]! - e[j]! / z) < 1e-6);
  assert.ok(cold[2]! > hot[2]!);
});
