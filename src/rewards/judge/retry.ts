// One judge call with a per-attempt timeout and exponential backoff with jitter between attempts.
// Retried: transport errors marked retryable (5xx, 429, connection failures) and timeouts.
// Not retried: other 4xx and the caller aborting.
import type { Rng } from "../../engine/rng.js";
import { ChatBackendError } from "./backend.js";

export interface RetryPolicy {
  /** Extra attempts after the first one. */
  retries: number;
  /** Delay before the first retry; doubles each time, capped by maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Wall-clock limit of one attempt. */
  timeoutMs: number;
}

export class JudgeCallError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = "JudgeCallError";
  }
}

/** Delay before retry number `retry` (0-based): base * 2^retry, capped, times a jitter in [0.5, 1). */
export function backoffDelay(policy: RetryPolicy, retry: number, rng: Rng): number {
  const capped = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** retry);
  return capped * (0.5 + 0.5 * rng.next());
}

export async function callWithRetry<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  rng: Rng,
  outer?: AbortSignal,
): Promise<{ value: T; attempts: number }> {
  let lastError = "no attempt made";
  let lastTimedOut = false;
  for (let i = 0; i <= policy.retries; i++) {
    if (outer?.aborted) throw outer.reason ?? new Error("aborted");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("judge call timed out")), policy.timeoutMs);
    const onOuterAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    try {
      return { value: await attempt(controller.signal), attempts: i + 1 };
    } catch (err) {
      if (outer?.aborted) throw outer.reason ?? err;
      const timedOut = controller.signal.aborted;
      const retryable = timedOut || (err instanceof ChatBackendError && err.retryable);
      lastTimedOut = timedOut;
      lastError = timedOut ? `timed out after ${policy.timeoutMs} ms` : (err as Error).message;
      if (!retryable) return Promise.reject(new JudgeCallError(lastError, i + 1, false));
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
    if (i < policy.retries) await sleep(backoffDelay(policy, i, rng), outer);
  }
  throw new JudgeCallError(
    `failed after ${policy.retries + 1} attempts: ${lastError}`,
    policy.retries + 1,
    lastTimedOut,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
