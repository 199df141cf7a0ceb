// Fixtures for the HF I/O tests: tiny configs and random weights in HF layout. No side effects on import.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/engine/rng.js";
import { type LlamaConfig, makeConfig } from "../../src/models/config.js";
import { expectedParamShapes } from "../../src/models/hf-model.js";
import type { Tensor } from "../../src/models/safetensors.js";

const created: string[] = [];

/** A fresh temp directory, removed by removeTempDirs (call it from the test file's `after`). */
export function tempDir(prefix = "hfio-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Qwen2-style: GQA (4 query heads, 2 kv heads), q/k/v bias, untied head. */
export function tinyQwen2Config(): LlamaConfig {
  return makeConfig({
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    vocab_size: 48,
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    tie_word_embeddings: false,
  });
}

/** Llama-style, tied embeddings, no bias. */
export function tinyTiedLlamaConfig(): LlamaConfig {
  return makeConfig({
    vocab_size: 40,
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    tie_word_embeddings: true,
  });
}

export function randomTensor(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * 0.1;
  return { shape, data };
}

/** Random weights for every parameter the config implies. */
export function randomWeights(config: LlamaConfig, seed = 1): Map<string, Tensor> {
  const rng = new Rng(seed);
  const out = new Map<string, Tensor>();
  for (const [name, shape] of expectedParamShapes(config)) out.set(name, randomTensor(shape, rng));
  return out;
}
