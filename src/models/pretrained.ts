// Loads a policy from a Hugging Face model directory: weights, config and tokenizer together.
// Directories without tokenizer files (the engine demo's byte-level models) get the ByteTokenizer.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Backend } from "../engine/backend.js";
import { ByteTokenizer } from "./byte-tokenizer.js";
import { readHfModelDir } from "./hf-model.js";
import { LlamaModel } from "./llama.js";
import { loadTokenizer, type TextTokenizer } from "./tokenizer.js";

export interface Pretrained {
  dir: string;
  model: LlamaModel;
  tokenizer: TextTokenizer;
  /** Token ids that end a generation: the tokenizer's EOS and config.json's eos_token_id(s). */
  eosTokenIds: number[];
}

export function loadTokenizerFor(dir: string): TextTokenizer {
  return existsSync(join(dir, "tokenizer.json")) ? loadTokenizer(dir) : new ByteTokenizer();
}

export function loadPretrained(dir: string, opts: { backend?: Backend } = {}): Pretrained {
  const { config, tensors } = readHfModelDir(dir);
  const model = LlamaModel.fromTensors(config, tensors, opts);
  const tokenizer = loadTokenizerFor(dir);
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new Error(
      `${dir}: tokenizer has ${tokenizer.vocabSize} tokens but config.json vocab_size is ${config.vocab_size}`,
    );
  }
  const eos = new Set<number>();
  if (tokenizer.eosTokenId !== null) eos.add(tokenizer.eosTokenId);
  const cfgEos = config.eos_token_id;
  if (typeof cfgEos === "number") eos.add(cfgEos);
  else if (Array.isArray(cfgEos)) for (const id of cfgEos) eos.add(id);
  return { dir, model, tokenizer, eosTokenIds: [...eos] };
}
