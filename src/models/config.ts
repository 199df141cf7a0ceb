// Hugging Face `config.json` for the Llama / Qwen2 decoder family, validated with zod.
// Field names are HF's, so a real checkpoint's config.json parses as-is (unknown keys are kept but ignored).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError, parseConfig } from "../config/load.js";

export const SUPPORTED_ARCHITECTURES = ["LlamaForCausalLM", "Qwen2ForCausalLM"] as const;

export const LlamaConfigSchema = z
  .looseObject({
    architectures: z.array(z.string()).default(["LlamaForCausalLM"]),
    model_type: z.string().default("llama"),
    vocab_size: z.number().int().positive(),
    hidden_size: z.number().int().positive(),
    intermediate_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    num_attention_heads: z.number().int().positive(),
    num_key_value_heads: z.number().int().positive().optional(),
    head_dim: z.number().int().positive().optional(),
    max_position_embeddings: z.number().int().positive().default(2048),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().default(10000),
    tie_word_embeddings: z.boolean().default(false),
    /** Llama's name for q/k/v/o bias; Qwen2 always has q/k/v bias and no o bias. */
    attention_bias: z.boolean().optional(),
    hidden_act: z.string().default("silu"),
    bos_token_id: z.number().int().nullable().optional(),
    eos_token_id: z
      .union([z.number().int(), z.array(z.number().int())])
      .nullable()
      .optional(),
    pad_token_id: z.number().int().nullable().optional(),
    torch_dtype: z.string().optional(),
    /** RoPE scaling (Llama 3.1 "llama3", YaRN, ...) changes the rotary frequencies; not implemented. */
    rope_scaling: z
      .null({ error: "RoPE scaling is not supported (plain RoPE with rope_theta only)" })
      .optional(),
  })
  .superRefine((c, ctx) => {
    const kv = c.num_key_value_heads ?? c.num_attention_heads;
    if (c.num_attention_heads % kv !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["num_key_value_heads"],
        message: `num_attention_heads (${c.num_attention_heads}) must be a multiple of num_key_value_heads (${kv})`,
      });
    }
    if (c.head_dim === undefined && c.hidden_size % c.num_attention_heads !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["hidden_size"],
        message: `hidden_size (${c.hidden_size}) must be divisible by num_attention_heads (${c.num_attention_heads})`,
      });
    }
    if (c.hidden_act !== "silu") {
      ctx.addIssue({ code: "custom", path: ["hidden_act"], message: `only "silu" (SwiGLU) is supported` });
    }
    const arch = c.architectures[0];
    if (arch && !(SUPPORTED_ARCHITECTURES as readonly string[]).includes(arch)) {
      ctx.addIssue({
        code: "custom",
        path: ["architectures", 0],
        message: `unsupported architecture "${arch}" (supported: ${SUPPORTED_ARCHITECTURES.join(", ")})`,
      });
    }
  });

export type HfLlamaConfig = z.output<typeof LlamaConfigSchema>;

/** The resolved config the engine uses: every derived quantity filled in. */
export interface LlamaConfig extends HfLlamaConfig {
  num_key_value_heads: number;
  head_dim: number;
  /** q/k/v projections have a bias (Qwen2, or Llama with attention_bias). */
  qkv_bias: boolean;
  /** o_proj has a bias (Llama with attention_bias only). */
  o_bias: boolean;
}

export function resolveConfig(c: HfLlamaConfig): LlamaConfig {
  const isQwen2 = c.architectures[0] === "Qwen2ForCausalLM" || c.model_type === "qwen2";
  return {
    ...c,
    num_key_value_heads: c.num_key_value_heads ?? c.num_attention_heads,
    head_dim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    qkv_bias: isQwen2 ? true : (c.attention_bias ?? false),
    o_bias: isQwen2 ? false : (c.attention_bias ?? false),
  };
}

/** Builds a resolved config from partial fields (used for tests and for models we create). */
export function makeConfig(fields: z.input<typeof LlamaConfigSchema>): LlamaConfig {
  return resolveConfig(parseConfig(LlamaConfigSchema, fields, "<config>"));
}

/** Reads and validates `<dir>/config.json`. Errors name the file and field. */
export function readHfConfig(dir: string): LlamaConfig {
  const file = join(dir, "config.json");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(file, [`cannot read JSON: ${(err as Error).message}`]);
  }
  return resolveConfig(parseConfig(LlamaConfigSchema, json, file));
}

/** The JSON written next to our own checkpoints (HF-compatible). */
export function toHfConfigJson(c: LlamaConfig): Record<string, unknown> {
  const { qkv_bias: _q, o_bias: _o, ...hf } = c;
  return { ...hf, torch_dtype: hf.torch_dtype ?? "float32" };
}
