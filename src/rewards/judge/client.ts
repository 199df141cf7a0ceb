// JudgeClient: every model-based grader's way to ask a question. It adds, around a ChatBackend,
// a concurrency limit, retries with backoff, a per-attempt timeout, a persistent cache keyed by
// everything that shapes the reply, de-duplication of identical calls in flight, and statistics.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { Rng } from "../../engine/rng.js";
import { weightsFingerprint } from "../../models/hf-model.js";
import type { ChatMessage } from "../types.js";
import type { ChatBackend } from "./backend.js";
import { cacheKey, JudgeCache } from "./cache.js";
import { type JudgeEndpointConfig, resolveApiKey, resolveBaseUrl, resolveModel } from "./config.js";
import { LocalChatBackend } from "./local-backend.js";
import { OpenAiChatBackend } from "./openai-backend.js";
import { callWithRetry, JudgeCallError, type RetryPolicy } from "./retry.js";
import { Semaphore } from "./semaphore.js";
import { JudgeStats } from "./stats.js";

export type JudgeReply =
  | { ok: true; text: string; cached: boolean }
  | { ok: false; error: string; timedOut: boolean; attempts: number };

export interface JudgeIdentity {
  model: string;
  weights?: string;
}

export interface JudgeClientOptions {
  backend: ChatBackend;
  /** Settings that change the reply; part of every cache key. */
  model: string;
  /**
   * What identifies the judge's weights beyond its name, also in every cache key: a local model's
   * weightsFingerprint, so a retrained judge under the same name never reads the old one's verdicts.
   */
  weights?: string;
  temperature: number;
  maxTokens: number;
  concurrency: number;
  retry: RetryPolicy;
  cache?: JudgeCache;
  seed?: number;
  stats?: JudgeStats;
}

export class JudgeClient {
  readonly stats: JudgeStats;
  readonly cache: JudgeCache;
  private readonly semaphore: Semaphore;
  private readonly rng: Rng;
  private readonly inFlight = new Map<string, Promise<JudgeReply>>();

  /** The judge's name and weights fingerprint: what its verdicts depend on besides the prompt. */
  get identity(): JudgeIdentity {
    return { model: this.opts.model, ...(this.opts.weights ? { weights: this.opts.weights } : {}) };
  }

  constructor(private readonly opts: JudgeClientOptions) {
    this.stats = opts.stats ?? new JudgeStats();
    this.cache = opts.cache ?? new JudgeCache();
    this.semaphore = new Semaphore(opts.concurrency);
    this.rng = new Rng(opts.seed ?? 0);
  }

  /**
   * Asks the judge. `variant` distinguishes deliberate re-asks of the same messages (a re-ask after an
   * unparseable reply must not be answered by the cache with the same unparseable text).
   */
  ask(messages: ChatMessage[], variant = 0, signal?: AbortSignal): Promise<JudgeReply> {
    const key = cacheKey({
      model: this.opts.model,
      ...(this.opts.weights ? { weights: this.opts.weights } : {}),
      temperature: this.opts.temperature,
      max_tokens: this.opts.maxTokens,
      messages,
      variant,
    });
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.stats.recordCacheHit();
      return Promise.resolve({ ok: true, text: cached, cached: true });
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.stats.recordCacheHit();
      return pending;
    }
    const call = this.callBackend(key, messages, signal).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }

  async close(): Promise<void> {
    this.cache.close();
    await this.opts.backend.close?.();
  }

  private callBackend(key: string, messages: ChatMessage[], signal?: AbortSignal): Promise<JudgeReply> {
    return this.semaphore.run(async () => {
      const started = performance.now();
      try {
        const { value, attempts } = await callWithRetry(
          (attemptSignal) =>
            this.opts.backend.complete(messages, {
              temperature: this.opts.temperature,
              maxTokens: this.opts.maxTokens,
              signal: attemptSignal,
            }),
          this.opts.retry,
          this.rng,
          signal,
        );
        this.stats.recordCall(performance.now() - started, attempts);
        this.cache.set(key, value);
        return { ok: true, text: value, cached: false };
      } catch (err) {
        if (!(err instanceof JudgeCallError)) throw err;
        this.stats.recordCall(performance.now() - started, err.attempts);
        return { ok: false, error: err.message, timedOut: err.timedOut, attempts: err.attempts };
      }
    });
  }
}

export interface JudgeClientContext {
  /** Directory that relative cache paths resolve against (the config file's directory). */
  baseDir?: string;
  /** Replaces the transport, e.g. an in-process model; defaults to the configured backend. */
  backendFactory?: (cfg: JudgeEndpointConfig) => ChatBackend;
  env?: NodeJS.ProcessEnv;
}

/** `model_dir` of a `backend: local` config, resolved against the config file's directory. */
function localModelDir(cfg: JudgeEndpointConfig, baseDir?: string): string {
  if (!cfg.model_dir) throw new Error("judge backend: local needs model_dir (a HF model directory)");
  return isAbsolute(cfg.model_dir) ? cfg.model_dir : resolve(baseDir ?? process.cwd(), cfg.model_dir);
}

/** Builds a client from a validated endpoint config. */
export function createJudgeClient(cfg: JudgeEndpointConfig, ctx: JudgeClientContext = {}): JudgeClient {
  const model = resolveModel(cfg, ctx.env);
  const localDir = cfg.backend === "local" && !ctx.backendFactory ? localModelDir(cfg, ctx.baseDir) : null;
  const backend =
    ctx.backendFactory?.(cfg) ??
    (localDir
      ? LocalChatBackend.fromDir(localDir)
      : new OpenAiChatBackend({
          baseURL: resolveBaseUrl(cfg, ctx.env),
          apiKey: resolveApiKey(cfg, ctx.env),
          model,
        }));
  const cachePath = cfg.cache
    ? isAbsolute(cfg.cache)
      ? cfg.cache
      : resolve(ctx.baseDir ?? process.cwd(), cfg.cache)
    : undefined;
  return new JudgeClient({
    backend,
    model,
    ...(localDir && existsSync(localDir) ? { weights: weightsFingerprint(localDir) } : {}),
    temperature: cfg.temperature,
    maxTokens: cfg.max_tokens,
    concurrency: cfg.concurrency,
    retry: {
      retries: cfg.retries,
      backoffMs: cfg.backoff_ms,
      maxBackoffMs: cfg.max_backoff_ms,
      timeoutMs: cfg.timeout_ms,
    },
    cache: new JudgeCache(cachePath),
    seed: cfg.seed,
  });
}
