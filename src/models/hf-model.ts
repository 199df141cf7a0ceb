// A Hugging Face model directory: config.json + model.safetensors (or a sharded index), optionally the
// tokenizer files. Parameter names and shapes are HF's (Llama / Qwen2 family), so a checkpoint saved by
// transformers loads here and one written here loads in transformers.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic.js";
import { type LlamaConfig, readHfConfig, toHfConfigJson } from "./config.js";
import {
  type LoadedTensor,
  readSafetensors,
  readShardedSafetensors,
  type Tensor,
  writeSafetensors,
} from "./safetensors.js";

export const MODEL_FILE = "model.safetensors";
export const MODEL_INDEX_FILE = "model.safetensors.index.json";
/** Tokenizer files copied along with a model when present (tokenizer.json is required). */
export const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "chat_template.jinja",
  "generation_config.json",
] as const;

export class HfModelError extends Error {
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(
      `${where}: ${problems.length === 1 ? problems[0] : `\n${problems.map((p) => `  - ${p}`).join("\n")}`}`,
    );
    this.name = "HfModelError";
  }
}

/** Every parameter the Llama/Qwen2 decoder has for this config, by HF name, with its shape. */
export function expectedParamShapes(config: LlamaConfig): Map<string, number[]> {
  const V = config.vocab_size;
  const C = config.hidden_size;
  const I = config.intermediate_size;
  const q = config.num_attention_heads * config.head_dim;
  const kv = config.num_key_value_heads * config.head_dim;
  const shapes = new Map<string, number[]>();
  shapes.set("model.embed_tokens.weight", [V, C]);
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    shapes.set(`${p}.input_layernorm.weight`, [C]);
    shapes.set(`${p}.self_attn.q_proj.weight`, [q, C]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [kv, C]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [kv, C]);
    if (config.qkv_bias) {
      shapes.set(`${p}.self_attn.q_proj.bias`, [q]);
      shapes.set(`${p}.self_attn.k_proj.bias`, [kv]);
      shapes.set(`${p}.self_attn.v_proj.bias`, [kv]);
    }
    shapes.set(`${p}.self_attn.o_proj.weight`, [C, q]);
    if (config.o_bias) shapes.set(`${p}.self_attn.o_proj.bias`, [C]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [C]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [I, C]);
    shapes.set(`${p}.mlp.up_proj.weight`, [I, C]);
    shapes.set(`${p}.mlp.down_proj.weight`, [C, I]);
  }
  shapes.set("model.norm.weight", [C]);
  if (!config.tie_word_embeddings) shapes.set("lm_head.weight", [V, C]);
  return shapes;
}

/**
 * Tensors that some HF checkpoints carry but the model does not need: a tied model's lm_head copy and
 * the rotary inv_freq buffers of older Llama exports. They are accepted and dropped.
 */
function isIgnorable(name: string, config: LlamaConfig): boolean {
  return (config.tie_word_embeddings && name === "lm_head.weight") || name.endsWith(".rotary_emb.inv_freq");
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks that `tensors` are exactly the parameters the config asks for, with the right shapes.
 * Throws one error listing every missing, unexpected and mis-shaped tensor; `where` names the source.
 */
export function checkParamShapes(
  config: LlamaConfig,
  tensors: Map<string, { shape: number[] }>,
  where: string,
): void {
  const expected = expectedParamShapes(config);
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) problems.push(`missing tensor "${name}" (expected shape ${JSON.stringify(shape)})`);
    else if (!sameShape(t.shape, shape)) {
      problems.push(
        `tensor "${name}" has shape ${JSON.stringify(t.shape)} but the config implies ${JSON.stringify(shape)}`,
      );
    }
  }
  for (const name of tensors.keys()) {
    if (!expected.has(name) && !isIgnorable(name, config)) problems.push(`unexpected tensor "${name}"`);
  }
  if (problems.length > 0) {
    const shown =
      problems.length > 20 ? [...problems.slice(0, 20), `... and ${problems.length - 20} more`] : problems;
    throw new HfModelError(where, shown);
  }
}

export interface HfModel {
  config: LlamaConfig;
  /** Exactly the parameters of expectedParamShapes(config), as f32. */
  tensors: Map<string, Tensor>;
  /** The dtypes found on disk, e.g. {"BF16": 290}. */
  dtypes: Record<string, number>;
}

/** Reads the weights of a model directory: model.safetensors, or the shards listed in its index. */
function readWeights(dir: string): Map<string, LoadedTensor> {
  const single = join(dir, MODEL_FILE);
  const index = join(dir, MODEL_INDEX_FILE);
  if (existsSync(single)) return readSafetensors(single);
  if (existsSync(index)) return readShardedSafetensors(index);
  const hint = existsSync(join(dir, "pytorch_model.bin"))
    ? " (pytorch_model.bin is not supported: convert it to safetensors first)"
    : "";
  throw new HfModelError(dir, [`no ${MODEL_FILE} or ${MODEL_INDEX_FILE} found${hint}`]);
}

/** Loads a HF model directory (config.json + safetensors weights), validating names and shapes. */
export function readHfModelDir(dir: string): HfModel {
  if (!existsSync(dir)) throw new HfModelError(dir, ["model directory does not exist"]);
  const config = readHfConfig(dir);
  const loaded = readWeights(dir);
  checkParamShapes(config, loaded, dir);
  const tensors = new Map<string, Tensor>();
  const dtypes: Record<string, number> = {};
  for (const name of expectedParamShapes(config).keys()) {
    const t = loaded.get(name)!;
    tensors.set(name, { shape: t.shape, data: t.data });
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  }
  return { config, tensors, dtypes };
}

export interface WriteHfModelOptions {
  /** Weight dtype on disk (default F32). */
  dtype?: "F32" | "BF16";
  /** A directory whose tokenizer files (tokenizer.json required) are copied next to the model. */
  tokenizerDir?: string;
}

/**
 * Writes config.json and model.safetensors (each atomically) in HF layout, after checking the tensors
 * against the config, and copies the tokenizer files when `tokenizerDir` is given.
 */
export function writeHfModelDir(
  dir: string,
  config: LlamaConfig,
  tensors: Map<string, Tensor>,
  opts: WriteHfModelOptions = {},
): void {
  const dtype = opts.dtype ?? "F32";
  checkParamShapes(config, tensors, `writing ${dir}`);
  const params = new Map<string, Tensor>();
  for (const name of expectedParamShapes(config).keys()) params.set(name, tensors.get(name)!);
  if (opts.tokenizerDir !== undefined && !existsSync(join(opts.tokenizerDir, "tokenizer.json"))) {
    throw new HfModelError(opts.tokenizerDir, ["tokenizerDir has no tokenizer.json"]);
  }
  mkdirSync(dir, { recursive: true });
  // transformers refuses safetensors files whose metadata lacks format=pt.
  writeSafetensors(join(dir, MODEL_FILE), params, { dtype, metadata: { format: "pt" } });
  writeJsonAtomic(join(dir, "config.json"), {
    ...toHfConfigJson(config),
    torch_dtype: dtype === "BF16" ? "bfloat16" : "float32",
  });
  if (opts.tokenizerDir !== undefined) copyTokenizerFiles(opts.tokenizerDir, dir);
}

/** Copies (atomically) the tokenizer files that exist in `fromDir` into `toDir`; returns their names. */
export function copyTokenizerFiles(fromDir: string, toDir: string): string[] {
  const copied: string[] = [];
  if (resolve(fromDir) === resolve(toDir)) return copied;
  for (const name of TOKENIZER_FILES) {
    const src = join(fromDir, name);
    if (existsSync(src)) {
      writeFileAtomic(join(toDir, name), readFileSync(src));
      copied.push(name);
    }
  }
  return copied;
}

/** Files whose contents are hashed whole by weightsFingerprint (bigger ones by size and mtime). */
const HASH_WHOLE_BYTES = 256 * 1024 * 1024;

/**
 * A short fingerprint of a model directory's weights and config: sha256 over each *.safetensors file
 * and config.json (by content up to 256 MB, by size and modification time beyond that).
 */
export function weightsFingerprint(dir: string): string {
  const h = createHash("sha256");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors") || f === "config.json")
    .sort();
  for (const f of files) {
    const path = join(dir, f);
    const st = statSync(path);
    h.update(`${f}\0`);
    if (st.size <= HASH_WHOLE_BYTES) h.update(readFileSync(path));
    else h.update(`${st.size}:${st.mtimeMs}`);
  }
  return h.digest("hex").slice(0, 16);
}
