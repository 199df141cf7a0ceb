// ChatBackend over any OpenAI-compatible `/v1/chat/completions` endpoint (vLLM, SGLang, llama.cpp,
// Ollama, OpenAI), through the official `openai` SDK. The SDK's own retries are disabled: the judge
// client retries with its own backoff so that every attempt is counted and bounded.
import OpenAI from "openai";
import { httpFetch } from "../../util/http-fetch.js";
import type { ChatMessage } from "../types.js";
import { type ChatBackend, ChatBackendError, type ChatCompletionOptions } from "./backend.js";

export interface OpenAiBackendOptions {
  baseURL: string;
  apiKey: string;
  model: string;
}

export class OpenAiChatBackend implements ChatBackend {
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAiBackendOptions) {
    // The per-call timeout is enforced by the caller's AbortSignal; the SDK timeout is only a backstop.
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey,
      maxRetries: 0,
      timeout: 3_600_000,
      fetch: httpFetch,
    });
  }

  async complete(messages: ChatMessage[], opts: ChatCompletionOptions): Promise<string> {
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.opts.model,
          messages: messages as OpenAI.Chat.ChatCompletionMessageParam[],
          temperature: opts.temperature,
          max_tokens: opts.maxTokens,
        },
        { signal: opts.signal, maxRetries: 0 },
      );
      const content = completion.choices?.[0]?.message?.content;
      if (typeof content !== "string") {
        throw new ChatBackendError("judge reply has no choices[0].message.content", false);
      }
      return content;
    } catch (err) {
      throw classifyOpenAiError(err);
    }
  }
}

/** 429, 5xx and connection failures are worth retrying; other 4xx (bad model name, auth) are not. */
function classifyOpenAiError(err: unknown): Error {
  if (err instanceof ChatBackendError) return err;
  if (err instanceof OpenAI.APIUserAbortError) return err;
  if (err instanceof OpenAI.APIConnectionError) {
    return new ChatBackendError(`connection failed: ${err.message}`, true);
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const retryable = status === undefined || status === 429 || status === 408 || status >= 500;
    return new ChatBackendError(`HTTP ${status ?? "?"}: ${err.message}`, retryable, status);
  }
  return err instanceof Error ? err : new Error(String(err));
}
