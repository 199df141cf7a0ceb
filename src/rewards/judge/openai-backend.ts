// ChatBackend over any OpenAI-compatible `/v1/chat/completions` endpoint (vLLM, SGLang, llama.cpp,
// Ollama, OpenAI), through the lean client in util/openai-chat.ts. It makes one attempt per call: the
// judge client retries with its own backoff so that every attempt is counted and bounded.

import { chatCompletionsUrl, createChatCompletion, OpenAiRequestError } from "../../util/openai-chat.js";
import type { ChatMessage } from "../types.js";
import type { ChatBackend, ChatCompletionOptions } from "./backend.js";
import { ChatBackendError } from "./backend.js";

export interface OpenAiBackendOptions {
  baseURL: string;
  apiKey: string;
  model: string;
}

export class OpenAiChatBackend implements ChatBackend {
  private readonly url: URL;

  constructor(private readonly opts: OpenAiBackendOptions) {
    this.url = chatCompletionsUrl(opts.baseURL);
  }

  async complete(messages: ChatMessage[], opts: ChatCompletionOptions): Promise<string> {
    try {
      // The per-call timeout is the caller's AbortSignal (retry.ts).
      const completion = await createChatCompletion(
        this.url,
        { model: this.opts.model, messages, temperature: opts.temperature, max_tokens: opts.maxTokens },
        { apiKey: this.opts.apiKey, signal: opts.signal },
      );
      const content = completion.choices[0]?.message?.content;
      if (typeof content !== "string") {
        throw new ChatBackendError("judge reply has no choices[0].message.content", false);
      }
      return content;
    } catch (err) {
      // 429, 5xx and connection failures are worth retrying; other 4xx (bad model name, auth) are not.
      if (err instanceof OpenAiRequestError)
        throw new ChatBackendError(err.message, err.retryable, err.status);
      throw err;
    }
  }
}
