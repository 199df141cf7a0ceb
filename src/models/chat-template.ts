// Chat templates: the Jinja `chat_template` of a HF tokenizer_config.json, rendered with @huggingface/jinja
// the way transformers' apply_chat_template does (messages, bos_token, eos_token, add_generation_prompt).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatTemplateOptions {
  /** Append the opening of an assistant turn so the model continues as the assistant. */
  addGenerationPrompt: boolean;
  /** Extra variables for templates that use them (e.g. `tools`, `enable_thinking`). */
  variables?: Record<string, unknown>;
}

export class ChatTemplateError extends Error {
  constructor(
    readonly origin: string,
    message: string,
  ) {
    super(`${origin}: ${message}`);
    this.name = "ChatTemplateError";
  }
}

/** A parsed chat template plus the special tokens it is rendered with. */
export class ChatTemplate {
  private readonly template: Template;

  /**
   * @param source the Jinja text
   * @param specialTokens e.g. {bos_token: "<s>", eos_token: "</s>"}, passed to the template
   * @param origin where the template came from, for error messages (a file name)
   */
  constructor(
    readonly source: string,
    private readonly specialTokens: Record<string, string>,
    readonly origin: string,
  ) {
    try {
      this.template = new Template(source);
    } catch (err) {
      throw new ChatTemplateError(origin, `cannot parse chat_template: ${(err as Error).message}`);
    }
  }

  render(messages: readonly ChatMessage[], opts: ChatTemplateOptions): string {
    messages.forEach((m, i) => {
      if (typeof m?.role !== "string" || typeof m.content !== "string") {
        throw new ChatTemplateError(this.origin, `messages[${i}] must have string "role" and "content"`);
      }
    });
    try {
      return this.template.render({
        ...this.specialTokens,
        ...opts.variables,
        messages,
        add_generation_prompt: opts.addGenerationPrompt,
      });
    } catch (err) {
      throw new ChatTemplateError(this.origin, `chat_template failed to render: ${(err as Error).message}`);
    }
  }
}

/**
 * Finds the chat template of a tokenizer directory: `chat_template` in tokenizer_config.json (a string,
 * or a list of {name, template} from which "default" is used), else a `chat_template.jinja` file
 * (newer transformers save it separately). Returns undefined when there is none.
 */
export function findChatTemplate(
  dir: string,
  tokenizerConfig: Record<string, unknown>,
): { source: string; origin: string } | undefined {
  const configFile = join(dir, "tokenizer_config.json");
  const raw = tokenizerConfig.chat_template;
  if (typeof raw === "string") return { source: raw, origin: configFile };
  if (Array.isArray(raw)) {
    const named = raw.find((t) => t?.name === "default") ?? raw[0];
    if (typeof named?.template !== "string") {
      throw new ChatTemplateError(
        configFile,
        `chat_template list has no {name, template} entry with a string template`,
      );
    }
    return { source: named.template, origin: `${configFile} (chat_template "${named.name}")` };
  }
  if (raw !== undefined && raw !== null) {
    throw new ChatTemplateError(configFile, `chat_template must be a string or a list of {name, template}`);
  }
  const jinjaFile = join(dir, "chat_template.jinja");
  if (existsSync(jinjaFile)) return { source: readFileSync(jinjaFile, "utf8"), origin: jinjaFile };
  return undefined;
}
