// A tiny random Llama with a real BPE tokenizer (trained here by bpe-train.ts, ChatML template) in a
// HF model directory: enough to serve chat requests and to run a judge end to end. No side effects on import.
import { Rng } from "../../src/engine/rng.js";
import { countWords, trainBpe, writeTokenizerFiles } from "../../src/models/bpe-train.js";
import { makeConfig } from "../../src/models/config.js";
import { expectedParamShapes, writeHfModelDir } from "../../src/models/hf-model.js";
import type { Tensor } from "../../src/models/safetensors.js";

export const TINY_CHAT_CORPUS = [
  "The quick brown fox jumps over the lazy dog.",
  "Write a sentence that uses the word cloud.",
  "After that mistake he was under a cloud.",
  "Compare the two answers to the question and give a verdict.",
  "def add(a, b):\n    return a + b",
  "Solve the problem step by step, then put the final answer in \\boxed{}.",
];

/** Writes the model directory; the vocabulary is 320 tokens, the context 1024. */
export function writeTinyChatModel(dir: string, seed = 1): string {
  const bpe = trainBpe(countWords(TINY_CHAT_CORPUS), { vocabSize: 320 });
  writeTokenizerFiles(dir, bpe, 1024);
  const config = makeConfig({
    vocab_size: 320,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    max_position_embeddings: 1024,
    tie_word_embeddings: true,
    eos_token_id: bpe.vocab.get("<|im_end|>")!,
  });
  const rng = new Rng(seed);
  const tensors = new Map<string, Tensor>();
  for (const [name, shape] of expectedParamShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const isNorm = shape.length === 1;
    tensors.set(name, {
      shape,
      data: Float32Array.from({ length: size }, () => (isNorm ? 1 : rng.normal() * 0.5)),
    });
  }
  writeHfModelDir(dir, config, tensors);
  return dir;
}
