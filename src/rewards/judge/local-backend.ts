// ChatBackend over a model running in this process (e.g. the embedded omni-tiny-judge): the judge's
// concurrent calls are batched into one sampler call by LocalChatModel. Selected in a rewards YAML with
// `backend: local` and `model_dir: <HF model directory>`. The model loads on the first call, so a
// rewards config that names it costs nothing until a writing sample is scored.
import { resolve } from "node:path";
import { ChatRequestError, LocalChatModel } from "../../models/chat-model.js";
import type { ChatMessage } from "../types.js";
import { type ChatBackend, ChatBackendError, type ChatCompletionOptions } from "./backend.js";

/** One loaded model per directory, shared by every grader that names it. */
const loaded = new Map<string, LocalChatModel>();

export function localChatModel(dir: string): LocalChatModel {
  const key = resolve(dir);
  let model = loaded.get(key);
  if (!model) {
    model = LocalChatModel.load(key);
    loaded.set(key, model);
  }
  return model;
}

export class LocalChatBackend implements ChatBackend {
  private loadedModel: LocalChatModel | undefined;

  constructor(source: LocalChatModel | string) {
    if (typeof source === "string") this.dir = source;
    else this.loadedModel = source;
  }

  private readonly dir: string | undefined;

  static fromDir(dir: string): LocalChatBackend {
    return new LocalChatBackend(dir);
  }

  /** The model (loaded now if it was not yet). */
  get model(): LocalChatModel {
    this.loadedModel ??= localChatModel(this.dir!);
    return this.loadedModel;
  }

  async complete(messages: ChatMessage[], opts: ChatCompletionOptions): Promise<string> {
    let model: LocalChatModel;
    try {
      model = this.model;
    } catch (err) {
      throw new ChatBackendError(`cannot load the local judge model: ${(err as Error).message}`, false);
    }
    try {
      const result = await model.complete({
        messages,
        temperature: opts.temperature,
        maxTokens: opts.maxTokens,
        signal: opts.signal,
      });
      return result.choices[0]!.text;
    } catch (err) {
      // a request the model cannot take (e.g. longer than its context) fails the same way every time
      if (err instanceof ChatRequestError) throw new ChatBackendError(err.message, false);
      throw err;
    }
  }
}
