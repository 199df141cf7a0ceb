// A local model answering chat requests, with concurrent requests batched into one sampler call.
// Requests queue up; on the next turn of the event loop every queued request whose sampling settings
// match the oldest one's (temperature, top_p, stop strings) is decoded together in one `generate`.
// Each request row gets its own random stream (forked from its seed), and the sampler keeps rows
// independent, so a reply does not depend on which other requests shared its batch.
// Used by the OpenAI-compatible server (openai-server.ts) and by the in-process judge backend.
import { Rng } from "../engine/rng.js";
import type { ChatMessage } from "./chat-template.js";
import { loadPretrained, type Pretrained } from "./pretrained.js";
import { generate } from "./sampler.js";

export interface ChatRequest {
  messages: ChatMessage[];
  /** Default 1; 0 = greedy. */
  temperature?: number;
  topP?: number;
  /** Upper bound on new tokens (capped by the context left after the prompt). */
  maxTokens?: number;
  stop?: string[];
  /** Seed of this request's sampling (default 0): the same seed gives the same reply. */
  seed?: number;
  /** Choices to sample (default 1). */
  n?: number;
  signal?: AbortSignal;
}

export interface ChatChoice {
  text: string;
  finishReason: "stop" | "length";
  completionTokens: number;
}

export interface ChatResult {
  choices: ChatChoice[];
  promptTokens: number;
  completionTokens: number;
}

export class ChatRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChatRequestError";
  }
}

export interface ChatModelOptions {
  /** Most rows (requests x n) decoded in one sampler call (default 32). */
  maxBatchRows?: number;
}

interface Pending {
  req: ChatRequest;
  prompt: number[];
  maxNew: number;
  resolve: (r: ChatResult) => void;
  reject: (e: Error) => void;
}

export class LocalChatModel {
  /** Sampler calls made and rows decoded (for tests and logs). */
  readonly stats = { batches: 0, rows: 0, requests: 0 };
  private readonly queue: Pending[] = [];
  private scheduled = false;
  private readonly maxBatchRows: number;

  constructor(
    readonly policy: Pretrained,
    opts: ChatModelOptions = {},
  ) {
    this.maxBatchRows = Math.max(1, opts.maxBatchRows ?? 32);
  }

  static load(dir: string, opts: ChatModelOptions = {}): LocalChatModel {
    return new LocalChatModel(loadPretrained(dir), opts);
  }

  get contextLength(): number {
    return this.policy.model.config.max_position_embeddings;
  }

  /** Token ids of the chat-templated prompt, with the assistant turn opened. */
  encodePrompt(messages: ChatMessage[]): number[] {
    const { tokenizer } = this.policy;
    return tokenizer.encode(tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }), {
      addSpecialTokens: false,
    });
  }

  complete(req: ChatRequest): Promise<ChatResult> {
    return new Promise<ChatResult>((resolve, reject) => {
      try {
        const n = req.n ?? 1;
        if (!Number.isInteger(n) || n < 1 || n > this.maxBatchRows) {
          throw new ChatRequestError(`n must be an integer in [1, ${this.maxBatchRows}], got ${n}`);
        }
        const prompt = this.encodePrompt(req.messages);
        const room = this.contextLength - prompt.length;
        if (room < 1) {
          throw new ChatRequestError(
            `the prompt has ${prompt.length} tokens; the model's context is ${this.contextLength}`,
          );
        }
        const maxNew = Math.min(room, req.maxTokens ?? room);
        if (!(maxNew >= 1)) throw new ChatRequestError(`max_tokens must be >= 1, got ${req.maxTokens}`);
        this.queue.push({ req, prompt, maxNew, resolve, reject });
        this.stats.requests++;
        this.schedule();
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.runBatch();
      this.schedule();
    });
  }

  /** Takes the oldest request and every queued one with the same sampling settings, up to maxBatchRows. */
  private takeBatch(): Pending[] {
    const key = (p: Pending) =>
      JSON.stringify([p.req.temperature ?? 1, p.req.topP ?? 1, [...(p.req.stop ?? [])].sort()]);
    const first = this.queue[0]!;
    const k = key(first);
    const batch: Pending[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length; ) {
      const p = this.queue[i]!;
      const n = p.req.n ?? 1;
      if (key(p) === k && rows + n <= this.maxBatchRows) {
        batch.push(p);
        rows += n;
        this.queue.splice(i, 1);
      } else i++;
    }
    return batch;
  }

  private runBatch(): void {
    const live = this.takeBatch().filter((p) => {
      if (p.req.signal?.aborted) {
        p.reject(p.req.signal.reason instanceof Error ? p.req.signal.reason : new Error("aborted"));
        return false;
      }
      return true;
    });
    if (live.length === 0) return;
    const { model, tokenizer, eosTokenIds } = this.policy;
    const first = live[0]!.req;
    const prompts: number[][] = [];
    const rngs: Rng[] = [];
    const budgets: number[] = [];
    for (const p of live) {
      const master = new Rng(p.req.seed ?? 0);
      for (let i = 0; i < (p.req.n ?? 1); i++) {
        prompts.push(p.prompt);
        rngs.push(master.fork());
        budgets.push(p.maxNew);
      }
    }
    let gens: ReturnType<typeof generate>;
    try {
      gens = generate(model, prompts, {
        // each row stops at its own request's budget, which fits the context after its prompt
        maxNewTokens: Math.max(...budgets),
        rowMaxNewTokens: budgets,
        temperature: first.temperature ?? 1,
        topP: first.topP ?? 1,
        ...(first.stop && first.stop.length > 0 ? { stop: first.stop } : {}),
        eosTokenIds,
        sampleVocabSize: Math.min(tokenizer.vocabSize, model.config.vocab_size),
        decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
        rowRngs: rngs,
      });
    } catch (err) {
      for (const p of live) p.reject(err as Error);
      return;
    }
    this.stats.batches++;
    this.stats.rows += prompts.length;
    let row = 0;
    for (const p of live) {
      const choices: ChatChoice[] = [];
      for (let i = 0; i < (p.req.n ?? 1); i++) {
        const g = gens[row++]!;
        choices.push({
          text: g.text ?? "",
          finishReason: g.finishReason === "length" ? "length" : "stop",
          completionTokens: g.tokens.length,
        });
      }
      const completionTokens = choices.reduce((a, c) => a + c.completionTokens, 0);
      p.resolve({ choices, promptTokens: p.prompt.length, completionTokens });
    }
  }
}
