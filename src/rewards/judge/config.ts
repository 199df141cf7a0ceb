// Connection and sampling settings shared by every model-based grader (pairwise judge, score_model,
// label_model). In a rewards YAML these keys sit flat next to `type:`.
import { z } from "zod";

export const JudgeEndpointConfig = z.object({
  /** Model name sent to the server. */
  model: z.string().min(1),
  /** Name of an environment variable that, when set, overrides model. */
  model_env: z.string().optional(),
  /**
   * Transport: `openai` = an OpenAI-compatible HTTP server at base_url; `local` = the HF model directory
   * `model_dir`, run in this process (concurrent calls batched into one sampler call).
   */
  backend: z.enum(["openai", "local"]).default("openai"),
  /** The model directory of `backend: local` (relative paths resolve against the config file). */
  model_dir: z.string().optional(),
  base_url: z.string().url().default("http://127.0.0.1:8001/v1"),
  /** Name of an environment variable that, when set, overrides base_url. */
  base_url_env: z.string().optional(),
  /** Name of the environment variable holding the API key (servers like vLLM need none). */
  api_key_env: z.string().optional(),
  temperature: z.number().min(0).default(0),
  max_tokens: z.number().int().positive().default(512),
  /** Most calls in flight at once for this grader. */
  concurrency: z.number().int().positive().default(16),
  /** Extra attempts after a 5xx, 429, connection failure or timeout. */
  retries: z.number().int().nonnegative().default(3),
  backoff_ms: z.number().nonnegative().default(500),
  max_backoff_ms: z.number().nonnegative().default(10_000),
  /** Wall-clock limit of one attempt. */
  timeout_ms: z.number().int().positive().default(60_000),
  /** JSONL cache file (relative paths resolve against the config file); omitted = memory only. */
  cache: z.string().optional(),
  /** Seed of the backoff jitter. */
  seed: z.number().int().default(0),
});
export type JudgeEndpointConfig = z.output<typeof JudgeEndpointConfig>;

/** The base URL after applying base_url_env. */
export function resolveBaseUrl(cfg: JudgeEndpointConfig, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = cfg.base_url_env ? env[cfg.base_url_env] : undefined;
  return fromEnv && fromEnv.length > 0 ? fromEnv : cfg.base_url;
}

export function resolveModel(cfg: JudgeEndpointConfig, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = cfg.model_env ? env[cfg.model_env] : undefined;
  return fromEnv && fromEnv.length > 0 ? fromEnv : cfg.model;
}

/** The API key; a named variable that is unset is an error, no variable named means a dummy key. */
export function resolveApiKey(cfg: JudgeEndpointConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (!cfg.api_key_env) return "EMPTY";
  const key = env[cfg.api_key_env];
  if (!key) throw new Error(`judge api_key_env: environment variable ${cfg.api_key_env} is not set`);
  return key;
}
