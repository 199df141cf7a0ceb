// The transport a judge talks through. The judge logic (prompts, verdicts, caching, retries) is the
// same whether the model sits behind an OpenAI-compatible HTTP server or runs in-process.
import type { ChatMessage } from "../types.js";

export interface ChatCompletionOptions {
  temperature: number;
  maxTokens: number;
  /** Aborted on timeout or when the caller gives up; a backend must stop work and reject. */
  signal: AbortSignal;
}

export interface ChatBackend {
  /** Returns the assistant's reply text for `messages`. Throws on transport failure. */
  complete(messages: ChatMessage[], opts: ChatCompletionOptions): Promise<string>;
  close?(): Promise<void>;
}

/**
 * A transport failure, classified so the retry loop knows whether trying again can help.
 * `status` is the HTTP status when there was one.
 */
export class ChatBackendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ChatBackendError";
  }
}
