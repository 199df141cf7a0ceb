// A tiny random policy in Hugging Face layout (config.json, model.safetensors, the tiny byte-level BPE
// tokenizer with a ChatML template) plus small dataset rows, for RL tests. No side effects on import.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeConfig } from "../../src/models/config.js";
import { writeHfModelDir } from "../../src/models/hf-model.js";
import { LlamaModel } from "../../src/models/llama.js";
import type { Tensor } from "../../src/models/safetensors.js";
import { loadTokenizer } from "../../src/models/tokenizer.js";
import { writeTinyTokenizer } from "./tiny-tokenizer.js";

export interface TinyPolicyOptions {
  seed?: number;
  hidden?: number;
  layers?: number;
  heads?: number;
  intermediate?: number;
  maxPositions?: number;
}

/** Writes a random Llama policy with the tiny tokenizer into `dir`; returns `dir`. */
export function writeTinyPolicy(dir: string, o: TinyPolicyOptions = {}): string {
  const tokDir = writeTinyTokenizer(join(dir, ".tokenizer-src"));
  const tok = loadTokenizer(tokDir);
  const config = makeConfig({
    vocab_size: tok.vocabSize,
    hidden_size: o.hidden ?? 32,
    intermediate_size: o.intermediate ?? 64,
    num_hidden_layers: o.layers ?? 2,
    num_attention_heads: o.heads ?? 4,
    max_position_embeddings: o.maxPositions ?? 256,
    eos_token_id: tok.eosTokenId,
  });
  const model = LlamaModel.create(config, { seed: o.seed ?? 1, initStd: 0.02 });
  const tensors = new Map<string, Tensor>();
  for (const p of model.params.values()) tensors.set(p.name, { shape: p.shape, data: p.data });
  writeHfModelDir(dir, config, tensors, { tokenizerDir: tokDir });
  return dir;
}

/** A verl row of task `task` (data_source = task). */
export function toyRow(task: string, index: number, question: string, groundTruth: unknown) {
  return {
    data_source: task,
    prompt: [{ role: "user", content: question }],
    ability: task,
    reward_model: { style: "rule", ground_truth: groundTruth },
    extra_info: { split: "train", index, difficulty: 1 },
  };
}

/** Writes `<dataDir>/<task>/<split>.jsonl` for each task's rows. */
export function writeTaskRows(dataDir: string, split: string, rows: Record<string, unknown[]>): void {
  for (const [task, list] of Object.entries(rows)) {
    mkdirSync(join(dataDir, task), { recursive: true });
    writeFileSync(join(dataDir, task, `${split}.jsonl`), list.map((r) => `${JSON.stringify(r)}\n`).join(""));
  }
}
