// A tiny but real byte-level BPE tokenizer in HF format (tokenizer.json + tokenizer_config.json with a
// ChatML chat template, Qwen-style), written to a directory for tests. No side effects on import.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { byteLevelSymbols } from "../../src/models/byte-tokenizer.js";
import { byteLevelBpeTokenizerJson } from "../../src/models/tokenizer-json.js";

/** Merges in priority order; "Ġ" is the byte-level symbol of a space. */
export const TINY_MERGES: [string, string][] = [
  ["h", "e"],
  ["l", "l"],
  ["he", "ll"],
  ["hell", "o"],
  ["Ġ", "w"],
  ["o", "r"],
  ["Ġw", "or"],
  ["Ġwor", "ld"],
  ["l", "d"],
  ["Ġ", "t"],
  ["Ġt", "he"],
  ["r", "e"],
  ["Ġ", "="],
];

export const TINY_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** A Qwen2.5-style ChatML template with a default system prompt. */
export const CHATML_TEMPLATE =
  "{%- if messages[0]['role'] == 'system' %}" +
  "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
  "{%- else %}{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{%- endif %}" +
  "{%- for message in messages %}" +
  "{%- if not (message.role == 'system' and loop.first) %}" +
  "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}" +
  "{%- endif %}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

export interface TinyTokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  vocab: Map<string, number>;
}

export function buildTinyTokenizer(opts: { chatTemplate?: string | null } = {}): TinyTokenizerFiles {
  const vocab = new Map<string, number>();
  for (const s of byteLevelSymbols()) vocab.set(s, vocab.size);
  for (const [a, b] of TINY_MERGES) if (!vocab.has(a + b)) vocab.set(a + b, vocab.size);
  const added = TINY_SPECIALS.map((content, i) => ({ id: vocab.size + i, content }));
  const tokenizerJson = byteLevelBpeTokenizerJson({
    vocab: Object.fromEntries(vocab),
    merges: TINY_MERGES,
    specialTokens: added,
    useRegex: true,
  });
  const tokenizerConfig: Record<string, unknown> = {
    tokenizer_class: "Qwen2Tokenizer",
    bos_token: null,
    eos_token: "<|im_end|>",
    pad_token: "<|endoftext|>",
    clean_up_tokenization_spaces: false,
    model_max_length: 32768,
  };
  const template = opts.chatTemplate === undefined ? CHATML_TEMPLATE : opts.chatTemplate;
  if (template !== null) tokenizerConfig.chat_template = template;
  for (const t of added) vocab.set(t.content, t.id);
  return { tokenizerJson, tokenizerConfig, vocab };
}

/** Writes the tiny tokenizer's two files into `dir`; returns `dir`. */
export function writeTinyTokenizer(dir: string, opts: { chatTemplate?: string | null } = {}): string {
  const { tokenizerJson, tokenizerConfig } = buildTinyTokenizer(opts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
  return dir;
}
