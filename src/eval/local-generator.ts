// Generates with the project's own engine: chat template -> token ids -> batched KV-cache sampling.
// The mean token entropy of each response is measured by one extra forward pass over the completion.
import { Rng } from "../engine/rng.js";
import type { Pretrained } from "../models/pretrained.js";
import { generate } from "../models/sampler.js";
import type { ChatMessage } from "../rewards/types.js";
import type { Generation, GenerationOptions, Generator } from "./generator.js";

export interface LocalGeneratorOptions {
  /** Prompts x samples decoded together in one sampler call. */
  batchSize: number;
  /** Prompts longer than this many tokens are cut from the left (the end of the prompt is kept). */
  maxPromptTokens?: number;
}

export class LocalGenerator implements Generator {
  readonly description: string;

  constructor(
    private readonly policy: Pretrained,
    private readonly opts: LocalGeneratorOptions = { batchSize: 32 },
  ) {
    this.description = `local:${policy.dir}`;
  }

  /** Token ids of the chat-templated prompt, ready for generation. */
  encodePrompt(messages: ChatMessage[]): number[] {
    const { tokenizer, model } = this.policy;
    const text = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
    let ids = tokenizer.encode(text, { addSpecialTokens: false });
    const room = Math.max(1, (this.opts.maxPromptTokens ?? model.config.max_position_embeddings) - 1);
    if (ids.length > room) ids = ids.slice(ids.length - room);
    return ids;
  }

  async generate(
    prompts: ChatMessage[][],
    opts: GenerationOptions,
    onProgress?: (done: number) => void,
  ): Promise<Generation[][]> {
    const { model, tokenizer, eosTokenIds } = this.policy;
    const maxPos = model.config.max_position_embeddings;
    // One stream for the whole call: the same seed gives the same responses.
    const rng = new Rng(opts.seed);
    const jobs = prompts.flatMap((messages, p) => {
      const ids = this.encodePrompt(messages);
      return Array.from({ length: opts.n }, () => ({ p, ids }));
    });
    const out: Generation[][] = prompts.map(() => []);
    const perBatch = Math.max(1, this.opts.batchSize);
    for (let start = 0; start < jobs.length; start += perBatch) {
      const batch = jobs.slice(start, start + perBatch);
      const maxNew = Math.max(
        1,
        Math.min(opts.maxTokens, maxPos - Math.max(...batch.map((j) => j.ids.length))),
      );
      const gens = generate(
        model,
        batch.map((j) => j.ids),
        {
          maxNewTokens: maxNew,
          temperature: opts.temperature,
          topP: opts.topP,
          eosTokenIds,
          ...(opts.stop ? { stop: opts.stop } : {}),
          decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
          // HF checkpoints often pad the embedding table past the tokenizer: never sample those rows
          sampleVocabSize: Math.min(model.config.vocab_size, tokenizer.vocabSize),
          rng,
        },
      );
      const entropies = this.meanEntropies(
        batch.map((j) => j.ids),
        gens.map((g) => g.tokens),
      );
      batch.forEach((job, i) => {
        const g = gens[i]!;
        out[job.p]!.push({
          text: g.text ?? tokenizer.decode(g.tokens, { skipSpecialTokens: true }),
          finishReason: g.finishReason,
          tokens: g.tokens.length,
          meanEntropy: entropies[i]!,
        });
      });
      onProgress?.(Math.floor(Math.min(jobs.length, start + perBatch) / opts.n));
      // Let timers and sockets run between batches.
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  /** Mean entropy of the predictive distribution over each completion's positions (one forward pass). */
  private meanEntropies(prompts: number[][], completions: number[][]): number[] {
    const { model } = this.policy;
    const T = Math.max(...prompts.map((p, i) => p.length + completions[i]!.length)) - 1;
    if (T <= 0) return prompts.map(() => 0);
    const B = prompts.length;
    const tokens = new Int32Array(B * T);
    const targets = new Int32Array(B * T).fill(-1);
    prompts.forEach((p, b) => {
      const seq = [...p, ...completions[b]!];
      for (let t = 0; t < Math.min(T, seq.length); t++) tokens[b * T + t] = seq[t]!;
      // Positions that predict completion tokens.
      for (let t = p.length - 1; t < seq.length - 1; t++) targets[b * T + t] = seq[t + 1]!;
    });
    const { entropy } = model.forward(tokens, targets, B, T);
    return prompts.map((p, b) => {
      const n = completions[b]!.length;
      if (n === 0) return 0;
      let sum = 0;
      for (let t = p.length - 1; t < p.length - 1 + n; t++) sum += entropy[b * T + t]!;
      return sum / n;
    });
  }
}
