// Judge health metrics: how biased and how reliable the judge is, printed by the CLI and logged by the
// trainer. Position flips and length preference are the known failure modes of pairwise LLM judges.
import type { RewardStatus } from "../types.js";

export interface JudgeStatsSnapshot {
  /** Samples judged (one per scored response). */
  judged: number;
  /** Per-status count of scored samples. */
  statusCounts: Partial<Record<RewardStatus, number>>;
  /** Pairwise: share of samples whose two orders disagreed (scored as a tie). */
  positionFlipRate: number | null;
  /** Pairwise: share of samples whose final verdict was a tie (flips included). */
  tieRate: number | null;
  /** Pairwise: among decided verdicts between answers of different length, share the longer one won. */
  longerWinsRate: number | null;
  /** Backend calls (cache misses) latency, in milliseconds. */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Share of judge requests answered from the cache. */
  cacheHitRate: number | null;
  backendCalls: number;
  cacheHits: number;
  /** Attempts beyond the first, across all calls. */
  retries: number;
}

const LATENCY_WINDOW = 10_000;

export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}

export class JudgeStats {
  private judged = 0;
  private readonly statusCounts: Partial<Record<RewardStatus, number>> = {};
  private pairs = 0;
  private flips = 0;
  private ties = 0;
  private decidedByLength = 0;
  private longerWins = 0;
  private readonly latencies: number[] = [];
  private cacheHits = 0;
  private backendCalls = 0;
  private retries = 0;

  recordStatus(status: RewardStatus): void {
    this.judged++;
    this.statusCounts[status] = (this.statusCounts[status] ?? 0) + 1;
  }

  /**
   * One pairwise judgment of a response against the reference. `responseWon` is undefined for a tie;
   * `lengthDiff` = response length minus reference length.
   */
  recordPair(flipped: boolean, responseWon: boolean | undefined, lengthDiff: number): void {
    this.pairs++;
    if (flipped) this.flips++;
    if (responseWon === undefined) {
      this.ties++;
      return;
    }
    if (lengthDiff === 0) return;
    this.decidedByLength++;
    if (responseWon === lengthDiff > 0) this.longerWins++;
  }

  recordCall(latencyMs: number, attempts: number): void {
    // Percentiles are over the most recent LATENCY_WINDOW calls so a long run's memory stays bounded.
    if (this.latencies.length < LATENCY_WINDOW) this.latencies.push(latencyMs);
    else this.latencies[this.backendCalls % LATENCY_WINDOW] = latencyMs;
    this.backendCalls++;
    this.retries += attempts - 1;
  }

  recordCacheHit(): void {
    this.cacheHits++;
  }

  snapshot(): JudgeStatsSnapshot {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const requests = this.cacheHits + this.backendCalls;
    return {
      judged: this.judged,
      statusCounts: { ...this.statusCounts },
      positionFlipRate: this.pairs ? this.flips / this.pairs : null,
      tieRate: this.pairs ? this.ties / this.pairs : null,
      longerWinsRate: this.decidedByLength ? this.longerWins / this.decidedByLength : null,
      latencyP50Ms: percentile(sorted, 0.5),
      latencyP99Ms: percentile(sorted, 0.99),
      cacheHitRate: requests ? this.cacheHits / requests : null,
      backendCalls: this.backendCalls,
      cacheHits: this.cacheHits,
      retries: this.retries,
    };
  }
}

/** One-line human summary, e.g. for the score command. */
export function formatJudgeStats(name: string, s: JudgeStatsSnapshot): string {
  const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
  const ms = (x: number | null) => (x === null ? "-" : `${x.toFixed(0)}ms`);
  const statuses = Object.entries(s.statusCounts)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return (
    `judge ${name}: judged=${s.judged} [${statuses}] flip=${pct(s.positionFlipRate)} tie=${pct(s.tieRate)} ` +
    `longer_wins=${pct(s.longerWinsRate)} p50=${ms(s.latencyP50Ms)} p99=${ms(s.latencyP99Ms)} ` +
    `cache_hit=${pct(s.cacheHitRate)} calls=${s.backendCalls} retries=${s.retries}`
  );
}
