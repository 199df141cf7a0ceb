// The tokenizer.json document (Hugging Face tokenizers 0.x format) of a byte-level BPE tokenizer.
// Every tokenizer this project writes has this shape; only the vocabulary, the merges, the special
// tokens and the pre-tokenizer differ. The runtime that reads it is @huggingface/tokenizers.

export interface SpecialToken {
  id: number;
  content: string;
}

export interface ByteLevelBpeSpec {
  /** token -> id, bytes as their ByteLevel symbols. */
  vocab: Record<string, number>;
  /** Merge rules in rank order. */
  merges: readonly (readonly [string, string])[];
  specialTokens: readonly SpecialToken[];
  /** The ByteLevel pre-tokenizer's GPT-2 regex split (false = one chunk per input). */
  useRegex: boolean;
  /** Split digits one per token before the ByteLevel step. */
  splitDigits?: boolean;
}

export function byteLevelBpeTokenizerJson(spec: ByteLevelBpeSpec): Record<string, unknown> {
  const byteLevel = {
    type: "ByteLevel",
    add_prefix_space: false,
    trim_offsets: false,
    use_regex: spec.useRegex,
  };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: spec.specialTokens.map(({ id, content }) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: spec.splitDigits
      ? { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, byteLevel] }
      : byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: spec.vocab,
      merges: spec.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}
