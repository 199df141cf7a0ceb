// Generates with any OpenAI-compatible /v1/chat/completions endpoint (vLLM, SGLang, llama.cpp,
// Ollama, `omni-thinker serve model`), with bounded concurrency, retries with backoff and timeouts.
import type { ChatMessage } from "../rewards/types.js";
import { chatCompletionsUrl, createChatCompletion, OpenAiRequestError } from "../util/openai-chat.js";
import type { Generation, GenerationOptions, Generator } from "./generator.js";

export interface OpenAIGeneratorConfig {
  baseURL: string;
  model: string;
  apiKey?: string;
  concurrency: number;
  retries: number;
  timeoutMs: number;
  /** Some servers ignore `n`; then request one completion per sample. */
  perSampleRequests?: boolean;
}

export class OpenAIGenerator implements Generator {
  readonly description: string;
  private readonly url: URL;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly cfg: OpenAIGeneratorConfig) {
    this.description = `${cfg.model} @ ${cfg.baseURL}`;
    this.url = chatCompletionsUrl(cfg.baseURL);
  }

  async generate(
    prompts: ChatMessage[][],
    opts: GenerationOptions,
    onProgress?: (done: number) => void,
  ): Promise<Generation[][]> {
    let done = 0;
    return Promise.all(
      prompts.map(async (messages, i) => {
        const out = this.cfg.perSampleRequests
          ? await Promise.all(
              Array.from({ length: opts.n }, (_, j) =>
                this.withSlot(() =>
                  this.request(messages, { ...opts, n: 1, seed: opts.seed + i * opts.n + j }),
                ),
              ),
            ).then((r) => r.flat())
          : await this.withSlot(() => this.request(messages, { ...opts, seed: opts.seed + i }));
        onProgress?.(++done);
        return out;
      }),
    );
  }

  private async withSlot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.active >= this.cfg.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async request(messages: ChatMessage[], opts: GenerationOptions): Promise<Generation[]> {
    let lastError = "";
    for (let attempt = 0; attempt <= this.cfg.retries; attempt++) {
      if (attempt > 0) await sleep(Math.min(8000, 200 * 2 ** (attempt - 1)) * (0.5 + Math.random()));
      try {
        const res = await createChatCompletion(
          this.url,
          {
            model: this.cfg.model,
            messages,
            n: opts.n,
            temperature: opts.temperature,
            top_p: opts.topP,
            max_tokens: opts.maxTokens,
            seed: opts.seed,
            ...(opts.stop && opts.stop.length > 0 ? { stop: opts.stop } : {}),
          },
          { apiKey: this.cfg.apiKey, timeoutMs: this.cfg.timeoutMs },
        );
        const choices = [...res.choices].sort((a, b) => a.index - b.index);
        if (choices.length !== opts.n) {
          throw new Error(`endpoint returned ${choices.length} choices, expected n=${opts.n}`);
        }
        const perChoiceTokens =
          res.usage?.completion_tokens !== undefined ? res.usage.completion_tokens / opts.n : undefined;
        return choices.map((c) => ({
          text: c.message?.content ?? "",
          finishReason: c.finish_reason ?? undefined,
          ...(perChoiceTokens !== undefined && opts.n === 1 ? { tokens: perChoiceTokens } : {}),
        }));
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        // A wrong choice count or a 4xx will not change on retry; timeouts, 429, 5xx and resets may.
        if (!(err instanceof OpenAiRequestError && err.retryable)) break;
      }
    }
    return Array.from({ length: opts.n }, () => ({ text: "", error: lastError.trim() }));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
