// The math reward: extract the final answer, normalize it, compare it with the ground truth.
// Every check runs in a worker-thread pool with a hard per-check timeout (a hung check is killed
// and reported as `timeout`; it never blocks the batch or the event loop).
import { z } from "zod";
import { parseConfig } from "../../config/load.js";
import { type Reward, type RewardResult, type RewardSample, result } from "../types.js";
import { type ItemOutcome, WorkerPool } from "../worker-pool.js";
import type { MathCheckItem, MathCheckResult } from "./check.js";
import { MATH_EXTRACTORS } from "./extract.js";
import type { MathWorkerData } from "./worker.js";

export { answersEquivalent, type Equivalence, type EquivalenceMethod } from "./equivalence.js";
export { type ExtractedAnswer, extractAnswer, MATH_EXTRACTORS, type MathExtractor } from "./extract.js";
export { normalizeAnswer } from "./normalize.js";

export const MathRewardConfig = z
  .object({
    /** Extractors tried in this order; the first that finds an answer wins. */
    extractors: z
      .array(z.enum(MATH_EXTRACTORS))
      .min(1)
      .default([...MATH_EXTRACTORS]),
    /** Relative tolerance for numbers: |a-b| <= relTol * max(|a|,|b|). */
    relTol: z.number().min(0).max(1).default(1e-4),
    /** Hard limit for one check; the worker running it is terminated and replaced. */
    timeoutMs: z.number().int().positive().default(2000),
    /** Worker threads. */
    workers: z.number().int().min(1).max(64).default(2),
    /** Compare expressions with mathjs and probing (false: exact, numbers, structures only). */
    symbolic: z.boolean().default(true),
    correctScore: z.number().default(1),
    incorrectScore: z.number().default(0),
    /** Score when no extractor finds an answer (status `no_answer`). */
    noAnswerScore: z.number().default(0),
    /** Score for `timeout` and crashed checks. */
    errorScore: z.number().default(0),
    /** Checks per message to a worker (bigger: less messaging; smaller: better balance). */
    chunkSize: z.number().int().min(1).default(64),
    /** TEST ONLY: a response containing this string makes its worker spin until killed. */
    debugSpinToken: z.string().min(1).optional(),
  })
  .strict();
export type MathRewardConfig = z.output<typeof MathRewardConfig>;
export type MathRewardConfigInput = z.input<typeof MathRewardConfig>;

/**
 * Ground truth accepted: a string or number, a list of them (any one matches), or `{answer}` with
 * one of those. A string may be a full solution; its `\boxed{}` or `#### x` answer is used.
 */
export function mathReferences(groundTruth: unknown, where: string): string[] {
  if (typeof groundTruth === "string") return [groundTruth];
  if (typeof groundTruth === "number" && Number.isFinite(groundTruth)) return [String(groundTruth)];
  if (Array.isArray(groundTruth) && groundTruth.length > 0) {
    return groundTruth.flatMap((g, i) => mathReferences(g, `${where}[${i}]`));
  }
  if (groundTruth && typeof groundTruth === "object" && "answer" in groundTruth) {
    return mathReferences((groundTruth as { answer: unknown }).answer, `${where}.answer`);
  }
  throw new Error(
    `${where}: math ground truth must be a string, a number, a non-empty list of them, or {answer}; got ${JSON.stringify(groundTruth)}`,
  );
}

export function createMathReward(config: MathRewardConfigInput = {}, name = "math"): Reward {
  const cfg = parseConfig(MathRewardConfig, config, `${name} reward config`);
  const workerData: MathWorkerData = {
    extractors: cfg.extractors,
    relTol: cfg.relTol,
    symbolic: cfg.symbolic,
    debugSpinToken: cfg.debugSpinToken,
  };
  const pool = new WorkerPool<MathCheckItem, MathCheckResult>({
    script: new URL("./worker.js", import.meta.url),
    size: cfg.workers,
    itemTimeoutMs: cfg.timeoutMs,
    workerData,
  });
  pool.warm();
  let closed = false;

  return {
    name,
    async scoreBatch(samples: RewardSample[]): Promise<RewardResult[]> {
      if (closed) throw new Error(`${name} reward: scoreBatch after close()`);
      const items = samples.map((s, i) => ({
        response: s.response,
        references: mathReferences(s.groundTruth, `${name} sample ${i} (${s.dataSource}): ground truth`),
      }));
      // Enough chunks to keep every worker busy, each at most chunkSize checks.
      const perChunk = Math.max(1, Math.min(cfg.chunkSize, Math.ceil(items.length / cfg.workers)));
      const chunks: MathCheckItem[][] = [];
      for (let i = 0; i < items.length; i += perChunk) chunks.push(items.slice(i, i + perChunk));
      const outcomes = (await Promise.all(chunks.map((c) => pool.runBatch(c)))).flat();
      return outcomes.map((o) => toRewardResult(o, cfg));
    },
    async close() {
      closed = true;
      await pool.close();
    },
  };
}

function toRewardResult(outcome: ItemOutcome<MathCheckResult>, cfg: MathRewardConfig): RewardResult {
  if (!outcome.ok) {
    const status = outcome.reason === "timeout" ? "timeout" : "sandbox_error";
    return result(cfg.errorScore, status, { metric: 0, error: outcome.message });
  }
  const r = outcome.value;
  if (r.extractor === null) {
    return result(cfg.noAnswerScore, "no_answer", { metric: 0, extractors: cfg.extractors });
  }
  return result(r.correct ? cfg.correctScore : cfg.incorrectScore, "ok", {
    extractor: r.extractor,
    extracted: r.extracted,
    normalized: r.normalized,
    reference: r.reference,
    method: r.method,
    metric: r.correct ? 1 : 0,
  });
}

export { benchMathThroughput } from "./bench.js";
