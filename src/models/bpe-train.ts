// A byte-level BPE trainer (GPT-2 style) that writes a standard Hugging Face tokenizer.json. Training is
// ours; running the tokenizer stays with @huggingface/tokenizers (tokenizer.ts), so the files written
// here load the same way in transformers.
//
// Pre-tokenization = Sequence[Digits(individual_digits), ByteLevel(add_prefix_space=false, GPT-2 regex)]:
// every digit is its own pre-token (numbers are spelled digit by digit, which small models calculate
// with more easily), the rest is split by the GPT-2 regex and written in the byte-level alphabet.
// Training counts the distinct pre-tokens, then repeatedly merges the most frequent adjacent pair of
// symbols (ties: the pair whose symbol strings sort first), updating pair counts incrementally.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic.js";
import { byteLevelSymbols } from "./byte-tokenizer.js";
import { byteLevelBpeTokenizerJson } from "./tokenizer-json.js";

/** Special tokens in id order (ids 0..4): padding, document start/end, ChatML turn markers. */
export const BPE_SPECIAL_TOKENS = ["<|pad|>", "<|bos|>", "<|eos|>", "<|im_start|>", "<|im_end|>"] as const;

/** ChatML without a default system prompt: `<|im_start|>{role}\n{content}<|im_end|>\n` per message. */
export const CHATML_TEMPLATE =
  "{%- for message in messages %}" +
  "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

/** The GPT-2 pre-tokenization regex, as @huggingface/tokenizers' ByteLevel pre-tokenizer uses it. */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const DIGITS_PATTERN = /[^\d]+|\d/gu;

const BYTE_SYMBOLS = byteLevelSymbols();
const encoder = new TextEncoder();

/** Splits text into pre-tokens, each written in the byte-level alphabet (one symbol per UTF-8 byte). */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  for (const piece of text.match(DIGITS_PATTERN) ?? []) {
    for (const word of piece.match(GPT2_PATTERN) ?? []) {
      let s = "";
      for (const b of encoder.encode(word)) s += BYTE_SYMBOLS[b]!;
      out.push(s);
    }
  }
  return out;
}

export interface BpeTrainOptions {
  /** Total vocabulary, special tokens included. */
  vocabSize: number;
  /** Added before the byte alphabet (ids 0..n-1). */
  specialTokens?: readonly string[];
  /** Pairs seen fewer times than this are never merged (default 2). */
  minFrequency?: number;
}

export interface BpeModel {
  /** token string -> id: special tokens, then the 256 byte symbols, then one token per merge. */
  vocab: Map<string, number>;
  /** Merges in priority order (rank 0 first). */
  merges: [string, string][];
  specialTokens: string[];
}

/** Counts the distinct pre-tokens of a corpus. */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const w of preTokenize(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/**
 * Trains merges on word counts (from countWords). Deterministic: the result depends only on the
 * multiset of words, not on the order they were seen in.
 */
export function trainBpe(wordCounts: Map<string, number>, opts: BpeTrainOptions): BpeModel {
  const specialTokens = [...(opts.specialTokens ?? BPE_SPECIAL_TOKENS)];
  const minFrequency = opts.minFrequency ?? 2;
  const symbols: string[] = [...BYTE_SYMBOLS]; // symbol id -> string (merges append)
  const symbolId = new Map(symbols.map((s, i) => [s, i]));
  const maxMerges = opts.vocabSize - specialTokens.length - 256;
  if (maxMerges < 0) throw new Error(`vocabSize ${opts.vocabSize} is below 256 bytes + specials`);

  // words sorted, so that ids (and everything downstream) do not depend on insertion order
  const entries = [...wordCounts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words: number[][] = entries.map(([w]) => Array.from(w, (ch) => symbolId.get(ch)!));
  const freqs = entries.map(([, c]) => c);

  const key = (a: number, b: number) => a * 65536 + b;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: 1 | -1) => {
    const w = words[wi]!;
    const f = freqs[wi]! * sign;
    for (let i = 0; i + 1 < w.length; i++) {
      const k = key(w[i]!, w[i + 1]!);
      pairCount.set(k, (pairCount.get(k) ?? 0) + f);
      if (sign > 0) {
        const set = pairWords.get(k);
        if (set) set.add(wi);
        else pairWords.set(k, new Set([wi]));
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1);

  const merges: [string, string][] = [];
  while (merges.length < maxMerges) {
    let best = -1;
    let bestCount = 0;
    for (const [k, c] of pairCount) {
      if (c > bestCount) {
        best = k;
        bestCount = c;
      } else if (c === bestCount && c > 0 && pairLess(k, best, symbols)) {
        best = k;
      }
    }
    if (best < 0 || bestCount < minFrequency) break;
    const a = Math.floor(best / 65536);
    const b = best % 65536;
    const merged = symbols.length;
    symbols.push(symbols[a]! + symbols[b]!);
    merges.push([symbols[a]!, symbols[b]!]);
    const affected = [...(pairWords.get(best) ?? [])].sort((x, y) => x - y);
    for (const wi of affected) {
      const w = words[wi]!;
      addPairs(wi, -1);
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(w[i]!);
      }
      words[wi] = out;
      addPairs(wi, 1);
    }
    pairCount.delete(best);
    pairWords.delete(best);
    for (const [k, c] of pairCount) if (c === 0) pairCount.delete(k);
  }

  const vocab = new Map<string, number>();
  for (const t of specialTokens) vocab.set(t, vocab.size);
  for (const s of symbols) if (!vocab.has(s)) vocab.set(s, vocab.size);
  return { vocab, merges, specialTokens };
}

/** Tie-break between equally frequent pairs: compare the left symbols' strings, then the right ones'. */
function pairLess(k1: number, k2: number, symbols: string[]): boolean {
  const a1 = symbols[Math.floor(k1 / 65536)]!;
  const a2 = symbols[Math.floor(k2 / 65536)]!;
  if (a1 !== a2) return a1 < a2;
  return symbols[k1 % 65536]! < symbols[k2 % 65536]!;
}

/**
 * Our own BPE encoding of one pre-token (byte-level symbols): repeatedly merge the adjacent pair of
 * lowest merge rank, as HF's BPE model does. Used to check the runtime against the trainer.
 */
export function applyMerges(word: string, ranks: Map<string, number>): string[] {
  let parts = Array.from(word);
  for (;;) {
    let bestRank = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = ranks.get(`${parts[i]} ${parts[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        at = i;
      }
    }
    if (at < 0) return parts;
    parts = [...parts.slice(0, at), parts[at]! + parts[at + 1]!, ...parts.slice(at + 2)];
  }
}

/** Merge rank lookup ("a b" -> rank) for applyMerges. */
export function mergeRanks(model: BpeModel): Map<string, number> {
  return new Map(model.merges.map(([a, b], i) => [`${a} ${b}`, i]));
}

/** The tokenizer.json document (tokenizers 0.x format): digits split one per token, then ByteLevel. */
export function toTokenizerJson(model: BpeModel): Record<string, unknown> {
  return byteLevelBpeTokenizerJson({
    vocab: Object.fromEntries(model.vocab),
    merges: model.merges,
    specialTokens: model.specialTokens.map((content) => ({ id: model.vocab.get(content)!, content })),
    useRegex: true,
    splitDigits: true,
  });
}

/** tokenizer_config.json: special tokens and the ChatML chat template. */
export function toTokenizerConfig(model: BpeModel, maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: "<|bos|>",
    eos_token: "<|im_end|>",
    pad_token: "<|pad|>",
    unk_token: null,
    additional_special_tokens: model.specialTokens.filter(
      (t) => !["<|bos|>", "<|im_end|>", "<|pad|>"].includes(t),
    ),
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
    chat_template: CHATML_TEMPLATE,
  };
}

/** Writes tokenizer.json and tokenizer_config.json into `dir` (atomically). */
export function writeTokenizerFiles(dir: string, model: BpeModel, maxLength = 512): void {
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, "tokenizer.json"), toTokenizerJson(model));
  writeJsonAtomic(join(dir, "tokenizer_config.json"), toTokenizerConfig(model, maxLength));
}
