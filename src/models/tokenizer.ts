// Text tokenizers. A HF tokenizer directory (tokenizer.json + tokenizer_config.json) is run by
// @huggingface/tokenizers; its chat template by @huggingface/jinja. ByteTokenizer (byte-tokenizer.ts)
// implements the same interface for models that have no tokenizer files.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { type ChatMessage, ChatTemplate, ChatTemplateError, findChatTemplate } from "./chat-template.js";

export interface EncodeOptions {
  /**
   * Add the tokenizer's own special tokens (e.g. a BOS for Llama; nothing for Qwen2). Default true, as in
   * transformers. Use false for text rendered by a chat template, which already has them.
   */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

export interface TextTokenizer {
  /** One more than the largest token id (added tokens included). */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  encode(text: string, opts?: EncodeOptions): number[];
  decode(ids: readonly number[], opts?: DecodeOptions): string;
  /** The id of a token string (as it appears in the vocabulary), or undefined. */
  tokenToId(token: string): number | undefined;
  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt: boolean }): string;
}

export class TokenizerError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "TokenizerError";
  }
}

/** tokenizer_config.json writes special tokens as a string or as an AddedToken object {content, ...}. */
function specialTokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { content?: unknown }).content === "string"
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}

function readJsonObject(file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new TokenizerError(file, `cannot read JSON: ${(err as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new TokenizerError(file, "expected a JSON object");
  }
  return json as Record<string, unknown>;
}

/** A HF tokenizer directory, run by @huggingface/tokenizers. */
export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  private readonly chatTemplate: ChatTemplate | undefined;

  constructor(
    readonly dir: string,
    private readonly tokenizer: Tokenizer,
    readonly tokenizerConfig: Record<string, unknown>,
  ) {
    let maxId = -1;
    for (const id of tokenizer.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const specials: Record<string, string> = {};
    for (const key of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
      const text = specialTokenText(tokenizerConfig[key]);
      if (text !== undefined) specials[key] = text;
    }
    const idOf = (key: string): number | null => {
      const text = specials[key];
      return text === undefined ? null : (tokenizer.token_to_id(text) ?? null);
    };
    this.bosTokenId = idOf("bos_token");
    this.eosTokenId = idOf("eos_token");
    this.padTokenId = idOf("pad_token");
    const found = findChatTemplate(dir, tokenizerConfig);
    this.chatTemplate = found ? new ChatTemplate(found.source, specials, found.origin) : undefined;
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    if (ids.length === 0) return "";
    for (const id of ids) {
      if (!Number.isInteger(id) || this.tokenizer.id_to_token(id) === undefined) {
        throw new TokenizerError(this.dir, `cannot decode token id ${id}: not in the vocabulary`);
      }
    }
    return this.tokenizer.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt: boolean }): string {
    if (!this.chatTemplate) {
      throw new ChatTemplateError(
        join(this.dir, "tokenizer_config.json"),
        "this tokenizer has no chat_template (nor a chat_template.jinja file)",
      );
    }
    return this.chatTemplate.render(messages, opts);
  }
}

/** Loads tokenizer.json + tokenizer_config.json (the latter optional) from a model directory. */
export function loadTokenizer(dir: string): HfTokenizer {
  const tokenizerFile = join(dir, "tokenizer.json");
  if (!existsSync(tokenizerFile)) throw new TokenizerError(tokenizerFile, "not found");
  const tokenizerJson = readJsonObject(tokenizerFile);
  const configFile = join(dir, "tokenizer_config.json");
  const config = existsSync(configFile) ? readJsonObject(configFile) : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (err) {
    throw new TokenizerError(tokenizerFile, `unsupported or invalid tokenizer: ${(err as Error).message}`);
  }
  return new HfTokenizer(dir, tokenizer, config);
}
