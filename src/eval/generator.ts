// Where evaluation responses come from: the local engine, or any OpenAI-compatible endpoint.
import type { ChatMessage } from "../rewards/types.js";

export interface GenerationOptions {
  /** Responses per prompt. */
  n: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  seed: number;
  stop?: string[];
}

export interface Generation {
  text: string;
  /** Set when the generation failed (endpoint error, timeout); the sample then scores 0. */
  error?: string;
  finishReason?: string;
  tokens?: number;
  /** Mean per-token entropy of the predictive distribution (local models only). */
  meanEntropy?: number;
}

export interface Generator {
  readonly description: string;
  /**
   * Generates `opts.n` responses for each prompt. `onProgress` is called with the number of
   * prompts finished so far. Failures are reported per generation, never thrown for the batch.
   */
  generate(
    prompts: ChatMessage[][],
    opts: GenerationOptions,
    onProgress?: (done: number) => void,
  ): Promise<Generation[][]>;
  close?(): Promise<void>;
}
