// ByteTokenizer: every UTF-8 byte is a token (ids 0..255), plus three special tokens. Used by the
// project's own small models, which have no tokenizer files. It can export itself as a HF byte-level BPE
// tokenizer.json (no merges) + tokenizer_config.json that encodes to the same ids, so a model saved with
// it loads through loadTokenizer here and AutoTokenizer in transformers.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic.js";
import { type ChatMessage, ChatTemplate } from "./chat-template.js";
import type { DecodeOptions, EncodeOptions, TextTokenizer } from "./tokenizer.js";
import { byteLevelBpeTokenizerJson } from "./tokenizer-json.js";

export const BYTE_BOS = "<|bos|>";
export const BYTE_EOS = "<|eos|>";
export const BYTE_PAD = "<|pad|>";
/** Special tokens in id order, starting at 256. */
export const BYTE_SPECIAL_TOKENS = [BYTE_BOS, BYTE_EOS, BYTE_PAD] as const;

/** Each message becomes `<|role|>\n{content}<|eos|>\n`; generation continues after `<|assistant|>\n`. */
export const BYTE_CHAT_TEMPLATE =
  "{%- for message in messages %}{{ '<|' + message.role + '|>\\n' + message.content + eos_token + '\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{ '<|assistant|>\\n' }}{%- endif %}";

/**
 * The byte-level alphabet of GPT-2-style BPE: byte b is written as one printable character, so that a
 * vocabulary of strings can hold raw bytes. Printable Latin-1 bytes map to themselves; the other 68
 * bytes map to U+0100 onwards, in byte order.
 */
export function byteLevelSymbols(): string[] {
  const symbols = new Array<string>(256);
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  for (let b = 0; b < 256; b++) symbols[b] = String.fromCodePoint(printable(b) ? b : next++);
  return symbols;
}

const SPECIAL_SPLIT = new RegExp(`(${BYTE_SPECIAL_TOKENS.map((t) => t.replace(/[|]/g, "\\|")).join("|")})`);

export class ByteTokenizer implements TextTokenizer {
  readonly vocabSize = 256 + BYTE_SPECIAL_TOKENS.length;
  readonly bosTokenId = 256;
  readonly eosTokenId = 257;
  readonly padTokenId = 258;
  private readonly symbols = byteLevelSymbols();
  private readonly symbolToByte = new Map(this.symbols.map((s, b) => [s, b]));
  private readonly chatTemplate = new ChatTemplate(
    BYTE_CHAT_TEMPLATE,
    { bos_token: BYTE_BOS, eos_token: BYTE_EOS, pad_token: BYTE_PAD },
    "ByteTokenizer built-in chat template",
  );
  private readonly encoder = new TextEncoder();

  /**
   * Special-token text inside `text` (e.g. "<|eos|>") becomes its id; everything else its UTF-8 bytes.
   * `addSpecialTokens` has no effect: like Qwen2's tokenizer, this one adds no BOS/EOS by itself.
   */
  encode(text: string, _opts: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    for (const part of text.split(SPECIAL_SPLIT)) {
      const special = (BYTE_SPECIAL_TOKENS as readonly string[]).indexOf(part);
      if (special >= 0) ids.push(256 + special);
      else for (const b of this.encoder.encode(part)) ids.push(b);
    }
    return ids;
  }

  /** Invalid UTF-8 byte runs decode to U+FFFD, as HF's byte-level decoder does. */
  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    let out = "";
    let bytes: number[] = [];
    const flush = () => {
      out += new TextDecoder().decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (const id of ids) {
      if (Number.isInteger(id) && id >= 0 && id < 256) bytes.push(id);
      else if (Number.isInteger(id) && id >= 256 && id < this.vocabSize) {
        if (opts.skipSpecialTokens) continue;
        flush();
        out += BYTE_SPECIAL_TOKENS[id - 256];
      } else throw new Error(`ByteTokenizer: cannot decode token id ${id}: not in [0, ${this.vocabSize})`);
    }
    flush();
    return out;
  }

  /** Byte tokens are named by their byte-level symbol (e.g. "Ġ" for a space), as in the HF export. */
  tokenToId(token: string): number | undefined {
    const special = (BYTE_SPECIAL_TOKENS as readonly string[]).indexOf(token);
    if (special >= 0) return 256 + special;
    return this.symbolToByte.get(token);
  }

  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt: boolean }): string {
    return this.chatTemplate.render(messages, opts);
  }

  /** The HF tokenizer.json / tokenizer_config.json equivalent to this tokenizer. */
  toHfFiles(): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
    const vocab: Record<string, number> = {};
    this.symbols.forEach((s, b) => {
      vocab[s] = b;
    });
    const specialTokens = BYTE_SPECIAL_TOKENS.map((content, i) => ({ id: 256 + i, content }));
    const tokenizerJson = byteLevelBpeTokenizerJson({ vocab, merges: [], specialTokens, useRegex: false });
    const added = tokenizerJson.added_tokens as { id: number }[];
    const addedTokensDecoder: Record<string, unknown> = {};
    for (const { id, ...rest } of added) addedTokensDecoder[String(id)] = rest;
    const tokenizerConfig = {
      tokenizer_class: "PreTrainedTokenizerFast",
      added_tokens_decoder: addedTokensDecoder,
      bos_token: BYTE_BOS,
      eos_token: BYTE_EOS,
      pad_token: BYTE_PAD,
      clean_up_tokenization_spaces: false,
      model_max_length: 1_000_000,
      chat_template: BYTE_CHAT_TEMPLATE,
    };
    return { tokenizerJson, tokenizerConfig };
  }

  /** Writes tokenizer.json and tokenizer_config.json into `dir` (atomically). */
  writeHfFiles(dir: string): void {
    const { tokenizerJson, tokenizerConfig } = this.toHfFiles();
    mkdirSync(dir, { recursive: true });
    writeJsonAtomic(join(dir, "tokenizer.json"), tokenizerJson);
    writeJsonAtomic(join(dir, "tokenizer_config.json"), tokenizerConfig);
  }
}
