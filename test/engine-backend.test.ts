// Backend selection (argument, OMNI_BACKEND), backend info, and model construction from tensors.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { backendInfo, loadBackend } from "../src/engine/load-backend.js";
import { findAddon } from "../src/engine/native.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel, parameterShapes } from "../src/models/llama.js";

function withEnv<T>(name: string, value: string | undefined, f: () => T): T {
  const old = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return f();
  } finally {
    if (old === undefined) delete process.env[name];
    else process.env[name] = old;
  }
}

test("loadBackend picks native when built (auto), reference on request, and OMNI_BACKEND overrides both", () => {
  withEnv("OMNI_BACKEND", undefined, () => {
    assert.equal(loadBackend("reference").name, "reference");
    assert.equal(loadBackend("auto").name, findAddon() ? "native" : "reference");
    assert.deepEqual(backendInfo("reference"), {
      backend: "reference",
      gemm: "typescript",
      threads: { blas: 1, kernels: 1 },
    });
  });
  withEnv("OMNI_BACKEND", "reference", () => assert.equal(loadBackend("native").name, "reference"));
  withEnv("OMNI_BACKEND", "gpu", () =>
    assert.throws(() => loadBackend(), /OMNI_BACKEND: unknown backend "gpu"/),
  );
});

test("the native backend reports its GEMM, OpenBLAS core type and thread counts", {
  skip: !findAddon(),
}, () => {
  const info = withEnv("OMNI_BACKEND", undefined, () => backendInfo("native"));
  assert.equal(info.backend, "native");
  assert.ok(info.gemm === "openblas" || info.gemm === "builtin");
  if (info.gemm === "openblas") assert.equal(typeof info.openblasCoreType, "string");
  assert.ok(info.threads.blas >= 1 && info.threads.kernels >= 1);
  assert.ok(info.gemmReason && info.gemmReason.length > 0, "says why it chose its GEMM");
  // The default rule (native/gemm.c gemm_init): on an AVX-512 CPU (the addon is built -march=native)
  // the built-in GEMM; elsewhere OpenBLAS when it loaded.
  if (!process.env.OMNI_GEMM && info.openblasCoreType && existsSync("/proc/cpuinfo")) {
    const avx512Cpu = /\bavx512f\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
    assert.equal(info.gemm, avx512Cpu ? "builtin" : "openblas", info.gemmReason);
  }
});

const config = makeConfig({
  architectures: ["Qwen2ForCausalLM"],
  vocab_size: 10,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  tie_word_embeddings: true,
});

test("parameters use Hugging Face names and [out, in] shapes", () => {
  const shapes = parameterShapes(config);
  assert.deepEqual(shapes.get("model.embed_tokens.weight"), [10, 8]);
  assert.deepEqual(shapes.get("model.layers.0.self_attn.q_proj.weight"), [8, 8]);
  assert.deepEqual(shapes.get("model.layers.0.self_attn.k_proj.weight"), [4, 8]);
  assert.deepEqual(shapes.get("model.layers.0.self_attn.k_proj.bias"), [4]);
  assert.equal(shapes.has("model.layers.0.self_attn.o_proj.bias"), false);
  assert.deepEqual(shapes.get("model.layers.0.mlp.down_proj.weight"), [8, 12]);
  assert.equal(shapes.has("lm_head.weight"), false);
  const model = LlamaModel.create(config, { seed: 1, backend: loadBackend("reference") });
  assert.deepEqual([...model.params.keys()], [...shapes.keys()]);
  assert.equal(
    model.numParams(),
    [...shapes.values()].reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0),
  );
});

test("fromTensors builds the same model, and its errors name every missing, extra and mis-shaped tensor", () => {
  const backend = loadBackend("reference");
  const a = LlamaModel.create(config, { seed: 4, backend });
  const tensors = new Map([...a.params].map(([n, p]) => [n, { shape: p.shape, data: p.data.slice() }]));
  tensors.set("lm_head.weight", { shape: [10, 8], data: new Float32Array(80) }); // tolerated when tied
  const b = LlamaModel.fromTensors(config, tensors, { backend });
  const tokens = Int32Array.from([1, 2, 3]);
  assert.deepEqual(b.logits(tokens, 1, 3), a.logits(tokens, 1, 3));

  tensors.delete("model.norm.weight");
  tensors.set("model.layers.0.mlp.up_proj.weight", { shape: [8, 12], data: new Float32Array(96) });
  tensors.set("model.layers.7.mlp.up_proj.weight", { shape: [12, 8], data: new Float32Array(96) });
  assert.throws(
    () => LlamaModel.fromTensors(config, tensors, { backend }),
    (err: Error) =>
      /missing tensor model\.norm\.weight \[8\]/.test(err.message) &&
      /model\.layers\.0\.mlp\.up_proj\.weight has shape \[8, 12\], expected \[12, 8\]/.test(err.message) &&
      /unexpected tensor model\.layers\.7\.mlp\.up_proj\.weight/.test(err.message),
  );
});

test("forward rejects token ids outside the vocabulary, naming the position", () => {
  const model = LlamaModel.create(config, { seed: 1, backend: loadBackend("reference") });
  assert.throws(
    () => model.forward(Int32Array.from([1, 10]), Int32Array.from([1, 1]), 1, 2),
    /token 10 at 1/,
  );
  assert.throws(() => model.backward(new Float32Array(3)), /call forward first|B\*T/);
});
