// Writes tiny random Llama-shaped HF model directories for merge and I/O tests.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/engine/rng.js";
import { makeConfig } from "../../src/models/config.js";
import { expectedParamShapes, writeHfModelDir } from "../../src/models/hf-model.js";
import type { Tensor } from "../../src/models/safetensors.js";

export interface TinyModelOptions {
  seed: number;
  intermediateSize?: number;
  /** Also write a (placeholder) tokenizer.json, to check it is copied. */
  tokenizer?: boolean;
}

/** Creates `dir` with config.json + model.safetensors of a 1-layer model; returns its tensors. */
export function writeTinyModel(dir: string, opts: TinyModelOptions): Map<string, Tensor> {
  const config = makeConfig({
    vocab_size: 16,
    hidden_size: 8,
    intermediate_size: opts.intermediateSize ?? 12,
    num_hidden_layers: 1,
    num_attention_heads: 2,
  });
  const rng = new Rng(opts.seed);
  const tensors = new Map<string, Tensor>();
  for (const [name, shape] of expectedParamShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, { shape, data: Float32Array.from({ length: size }, () => rng.normal()) });
  }
  writeHfModelDir(dir, config, tensors);
  if (opts.tokenizer)
    writeFileSync(join(dir, "tokenizer.json"), '{"version": "1.0", "model": {"type": "BPE"}}\n');
  return tensors;
}
