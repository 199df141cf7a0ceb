import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import {
  expectedParamShapes,
  HfModelError,
  readHfModelDir,
  writeHfModelDir,
} from "../src/models/hf-model.js";
import {
  readSafetensorsHeader,
  roundToBf16,
  type Tensor,
  writeSafetensors,
} from "../src/models/safetensors.js";
import {
  randomTensor,
  randomWeights,
  tinyQwen2Config,
  tinyTiedLlamaConfig,
} from "./helpers/hfio-fixtures.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyTokenizer } from "./helpers/tiny-tokenizer.js";

after(removeTempDirs);

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function assertHfModelError(fn: () => unknown, where: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HfModelError, `expected HfModelError, got ${String(err)}`);
    assert.ok(err.message.includes(where), err.message);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

test("expected HF shapes follow the config: GQA widths, q/k/v bias, untied head", () => {
  const shapes = expectedParamShapes(tinyQwen2Config());
  // hidden 16, 4 heads of 4, 2 kv heads, intermediate 24, vocab 48, 2 layers
  assert.deepEqual(shapes.get("model.embed_tokens.weight"), [48, 16]);
  assert.deepEqual(shapes.get("model.layers.1.self_attn.q_proj.weight"), [16, 16]);
  assert.deepEqual(shapes.get("model.layers.1.self_attn.k_proj.weight"), [8, 16]);
  assert.deepEqual(shapes.get("model.layers.1.self_attn.v_proj.bias"), [8]);
  assert.deepEqual(shapes.get("model.layers.0.self_attn.o_proj.weight"), [16, 16]);
  assert.equal(shapes.has("model.layers.0.self_attn.o_proj.bias"), false, "Qwen2 has no o_proj bias");
  assert.deepEqual(shapes.get("model.layers.0.mlp.gate_proj.weight"), [24, 16]);
  assert.deepEqual(shapes.get("model.layers.0.mlp.down_proj.weight"), [16, 24]);
  assert.deepEqual(shapes.get("model.layers.0.post_attention_layernorm.weight"), [16]);
  assert.deepEqual(shapes.get("model.norm.weight"), [16]);
  assert.deepEqual(shapes.get("lm_head.weight"), [48, 16]);
  assert.equal(shapes.size, 1 + 2 * 12 + 1 + 1);

  const tied = expectedParamShapes(tinyTiedLlamaConfig());
  assert.equal(tied.has("lm_head.weight"), false);
  assert.equal(tied.has("model.layers.0.self_attn.q_proj.bias"), false);
  assert.equal(tied.size, 1 + 9 + 1);

  const withHeadDim = expectedParamShapes(
    makeConfig({
      vocab_size: 4,
      hidden_size: 8,
      intermediate_size: 4,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      head_dim: 6,
      attention_bias: true,
    }),
  );
  assert.deepEqual(withHeadDim.get("model.layers.0.self_attn.q_proj.weight"), [12, 8]);
  assert.deepEqual(withHeadDim.get("model.layers.0.self_attn.o_proj.weight"), [8, 12]);
  assert.deepEqual(
    withHeadDim.get("model.layers.0.self_attn.o_proj.bias"),
    [8],
    "Llama attention_bias adds an o_proj bias",
  );
});

test("a GQA + qkv-bias model written in HF layout reads back bit-identical in F32", () => {
  const dir = tempDir();
  const config = tinyQwen2Config();
  const weights = randomWeights(config, 7);
  writeHfModelDir(dir, config, weights);
  const json = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  assert.equal(json.num_key_value_heads, 2);
  assert.equal(json.torch_dtype, "float32");
  assert.equal(json.qkv_bias, undefined, "derived fields are not written to config.json");
  assert.deepEqual(readSafetensorsHeader(join(dir, "model.safetensors")).metadata, { format: "pt" });

  const model = readHfModelDir(dir);
  assert.deepEqual(model.config, { ...config, torch_dtype: "float32" });
  assert.deepEqual(model.dtypes, { F32: weights.size });
  assert.deepEqual([...model.tensors.keys()], [...expectedParamShapes(config).keys()]);
  for (const [name, t] of weights) {
    assert.deepEqual(model.tensors.get(name)!.shape, t.shape, name);
    assert.ok(bitsEqual(model.tensors.get(name)!.data, t.data), `${name} differs`);
  }
});

test("a tied model written in BF16 reads back within bf16 rounding and records bfloat16", () => {
  const dir = tempDir();
  const config = tinyTiedLlamaConfig();
  const weights = randomWeights(config, 3);
  writeHfModelDir(dir, config, weights, { dtype: "BF16" });
  assert.equal(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).torch_dtype, "bfloat16");
  const model = readHfModelDir(dir);
  assert.equal(model.tensors.has("lm_head.weight"), false);
  assert.deepEqual(model.dtypes, { BF16: weights.size });
  for (const [name, t] of weights) {
    const back = model.tensors.get(name)!.data;
    assert.ok(bitsEqual(back, roundToBf16(t.data)), `${name} is not the bf16 rounding`);
    for (let i = 0; i < t.data.length; i++) {
      assert.ok(
        Math.abs(back[i]! - t.data[i]!) <= Math.abs(t.data[i]!) * 2 ** -8,
        `${name}[${i}] off by more than bf16 rounding`,
      );
    }
  }
});

test("a tied checkpoint that also carries lm_head.weight (and rotary inv_freq buffers) loads, ignoring them", () => {
  const dir = tempDir();
  const config = tinyTiedLlamaConfig();
  const weights = randomWeights(config, 4);
  writeHfModelDir(dir, config, weights);
  const rng = new Rng(5);
  const extra = new Map(weights);
  extra.set("lm_head.weight", weights.get("model.embed_tokens.weight")!);
  extra.set("model.layers.0.self_attn.rotary_emb.inv_freq", randomTensor([2], rng));
  writeSafetensors(join(dir, "model.safetensors"), extra);
  const model = readHfModelDir(dir);
  assert.equal(model.tensors.size, weights.size);
  assert.equal(model.tensors.has("lm_head.weight"), false);
});

test("shape mismatches, missing and unexpected tensors are all named, with both shapes", () => {
  const dir = tempDir();
  const config = tinyQwen2Config();
  const weights = randomWeights(config, 1);
  writeHfModelDir(dir, config, weights);
  const broken = new Map<string, Tensor>(weights);
  broken.set("model.layers.1.self_attn.k_proj.weight", { shape: [16, 16], data: new Float32Array(256) });
  broken.delete("model.layers.0.mlp.up_proj.weight");
  broken.set("model.layers.9.mlp.extra.weight", { shape: [1], data: new Float32Array(1) });
  writeSafetensors(join(dir, "model.safetensors"), broken);
  assertHfModelError(
    () => readHfModelDir(dir),
    dir,
    /tensor "model\.layers\.1\.self_attn\.k_proj\.weight" has shape \[16,16\] but the config implies \[8,16\]/,
    /missing tensor "model\.layers\.0\.mlp\.up_proj\.weight" \(expected shape \[24,16\]\)/,
    /unexpected tensor "model\.layers\.9\.mlp\.extra\.weight"/,
  );
  // Writing checks too, before anything reaches the disk.
  const out = join(tempDir(), "out");
  assertHfModelError(() => writeHfModelDir(out, config, broken), out, /k_proj/);
  assert.equal(existsSync(out), false);
});

test("an untied model without lm_head.weight is rejected", () => {
  const dir = tempDir();
  const config = tinyQwen2Config();
  const weights = randomWeights(config, 1);
  weights.delete("lm_head.weight");
  writeSafetensors(join(dir, "model.safetensors"), weights);
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  assertHfModelError(
    () => readHfModelDir(dir),
    dir,
    /missing tensor "lm_head\.weight" \(expected shape \[48,16\]\)/,
  );
});

test("a sharded model directory loads through model.safetensors.index.json", () => {
  const dir = tempDir();
  const config = tinyQwen2Config();
  const weights = randomWeights(config, 2);
  writeHfModelDir(dir, config, weights);
  rmSync(join(dir, "model.safetensors"));
  const names = [...weights.keys()];
  const half = Math.ceil(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((shard, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensors(join(dir, file), new Map(shard.map((n) => [n, weights.get(n)!])), { dtype: "BF16" });
    for (const n of shard) weightMap[n] = file;
  });
  writeFileSync(
    join(dir, "model.safetensors.index.json"),
    JSON.stringify({ metadata: {}, weight_map: weightMap }),
  );
  const model = readHfModelDir(dir);
  assert.equal(model.tensors.size, weights.size);
  assert.ok(
    bitsEqual(model.tensors.get("lm_head.weight")!.data, roundToBf16(weights.get("lm_head.weight")!.data)),
  );
});

test("a directory without weights, without config, or absent gives an error naming it", () => {
  const dir = tempDir();
  assert.throws(() => readHfModelDir(join(dir, "nope")), /nope: model directory does not exist/);
  assert.throws(
    () => readHfModelDir(dir),
    (err: unknown) => (err as Error).message.includes(join(dir, "config.json")),
  );
  writeFileSync(join(dir, "config.json"), JSON.stringify(tinyTiedLlamaConfig()));
  writeFileSync(join(dir, "pytorch_model.bin"), "");
  assertHfModelError(
    () => readHfModelDir(dir),
    dir,
    /no model\.safetensors or model\.safetensors\.index\.json/,
    /pytorch_model\.bin is not supported/,
  );
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...tinyTiedLlamaConfig(), hidden_act: "gelu" }));
  assert.throws(() => readHfModelDir(dir), /config\.json[\s\S]*hidden_act/);
});

test("writing with tokenizerDir copies the tokenizer files next to the weights", () => {
  const tokDir = writeTinyTokenizer(tempDir());
  const dir = join(tempDir(), "model");
  const config = tinyTiedLlamaConfig();
  writeHfModelDir(dir, config, randomWeights(config), { tokenizerDir: tokDir });
  assert.deepEqual(readFileSync(join(dir, "tokenizer.json")), readFileSync(join(tokDir, "tokenizer.json")));
  assert.deepEqual(
    readFileSync(join(dir, "tokenizer_config.json")),
    readFileSync(join(tokDir, "tokenizer_config.json")),
  );
  assertHfModelError(
    () => writeHfModelDir(dir, config, randomWeights(config), { tokenizerDir: `${dir}-none` }),
    "-none",
    /no tokenizer\.json/,
  );
});
