import { Rng } from "../../src/engine/rng.js";
import { type LlamaConfig, makeConfig } from "../../src/models/config.js";
import { expectedParamShapes } from "../../src/models/hf-model.js";
import type { Tensor } from "../../src/models/safetensors.js";

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
