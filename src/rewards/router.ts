// The reward router: one entry point that scores a mixed batch. Each sample goes to the reward of its
// data_source. Matching: an exact key wins; otherwise the first glob key (in file order) that matches;
// no match is an UnknownDataSourceError naming the data_source (never a silent score).
// Rewards run concurrently, so slow judge calls overlap with math and code scoring.
import { resolve } from "node:path";
import type { JudgeIdentity } from "./judge/client.js";
import { isJudgeReward, type JudgeStatsSnapshot } from "./judge/index.js";
import {
  configBaseDir,
  createReward,
  loadRewardsConfig,
  parseRewardsConfig,
  type RewardFactoryContext,
  type RewardsConfig,
} from "./reward-config.js";
import { REWARD_STATUSES, type Reward, type RewardResult, type RewardSample } from "./types.js";

export class UnknownDataSourceError extends Error {
  constructor(
    readonly dataSource: string,
    readonly known: readonly string[],
  ) {
    super(
      `unknown data_source "${dataSource}": no reward configured for it (configured: ${known.join(", ")})`,
    );
    this.name = "UnknownDataSourceError";
  }
}

interface Route {
  pattern: string;
  matcher?: RegExp;
  reward: Reward;
}

/** `*` = any run of characters, `?` = one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** The raw task metric in [0,1]: details.metric when set, else the clamped score of an ok result, else 0. */
export function rawMetric(r: RewardResult): number {
  const m = r.details.metric;
  if (typeof m === "number" && Number.isFinite(m)) return Math.min(1, Math.max(0, m));
  return r.status === "ok" ? Math.min(1, Math.max(0, r.score)) : 0;
}

export class RewardRouter {
  private readonly exact = new Map<string, Route>();
  private readonly globs: Route[] = [];
  private readonly resolved = new Map<string, Route>();

  constructor(
    routes: { pattern: string; reward: Reward }[],
    /** Every underlying reward (sub-graders included), for judge statistics. */
    private readonly underlying: { name: string; reward: Reward }[] = [],
  ) {
    for (const r of routes) {
      if (isGlob(r.pattern)) this.globs.push({ ...r, matcher: globToRegExp(r.pattern) });
      else this.exact.set(r.pattern, r);
    }
  }

  get patterns(): string[] {
    return [...this.exact.keys(), ...this.globs.map((g) => g.pattern)];
  }

  /** The reward for a data_source; throws UnknownDataSourceError when none matches. */
  resolve(dataSource: string): Reward {
    return this.route(dataSource).reward;
  }

  /**
   * True when an LLM judge scores this data_source, alone or as a sub-grader of a `multi` reward
   * (then the metric's 1 / 0.5 / 0 still read as win / tie / loss against the reference).
   */
  isJudged(dataSource: string): boolean {
    const { pattern } = this.route(dataSource);
    return this.underlying.some(
      ({ name, reward }) => isJudgeReward(reward) && (name === pattern || name.startsWith(`${pattern}.`)),
    );
  }

  has(dataSource: string): boolean {
    try {
      this.route(dataSource);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Scores a mixed batch; results come back in input order. `groupIds` (one per sample) mark
   * responses to the same prompt and are passed on to each reward.
   */
  async scoreBatch(
    samples: RewardSample[],
    opts: { groupIds?: number[]; signal?: AbortSignal } = {},
  ): Promise<RewardResult[]> {
    if (opts.groupIds && opts.groupIds.length !== samples.length) {
      throw new Error(`groupIds has ${opts.groupIds.length} entries for ${samples.length} samples`);
    }
    // Resolve everything first: an unknown data_source fails the batch before any work is spent.
    const byRoute = new Map<Route, number[]>();
    samples.forEach((s, i) => {
      const route = this.route(s.dataSource);
      const list = byRoute.get(route);
      if (list) list.push(i);
      else byRoute.set(route, [i]);
    });
    const out: RewardResult[] = new Array(samples.length);
    await Promise.all(
      [...byRoute].map(async ([route, indices]) => {
        const results = await route.reward.scoreBatch(
          indices.map((i) => samples[i]!),
          {
            groupIds: opts.groupIds ? indices.map((i) => opts.groupIds![i]!) : undefined,
            signal: opts.signal,
          },
        );
        checkResults(route.pattern, results, indices.length);
        indices.forEach((sampleIndex, k) => {
          out[sampleIndex] = results[k]!;
        });
      }),
    );
    return out;
  }

  /** Statistics of every LLM judge behind this router, by reward name. */
  judgeStats(): Record<string, JudgeStatsSnapshot> {
    const stats: Record<string, JudgeStatsSnapshot> = {};
    for (const { name, reward } of this.underlying)
      if (isJudgeReward(reward)) stats[name] = reward.judgeStats();
    return stats;
  }

  /** Which judge backs each LLM-judged reward, by reward name. */
  judgeIdentities(): Record<string, JudgeIdentity> {
    const ids: Record<string, JudgeIdentity> = {};
    for (const { name, reward } of this.underlying)
      if (isJudgeReward(reward)) ids[name] = reward.judgeIdentity();
    return ids;
  }

  /** Judge cache positions by reward name (for a trainer's checkpoint). */
  judgeCachePointers(): Record<string, number> {
    const pointers: Record<string, number> = {};
    for (const { name, reward } of this.underlying)
      if (isJudgeReward(reward)) pointers[name] = reward.cachePointer();
    return pointers;
  }

  async close(): Promise<void> {
    const routes = [...this.exact.values(), ...this.globs];
    await Promise.all(routes.map((r) => r.reward.close?.()));
  }

  private route(dataSource: string): Route {
    const hit = this.exact.get(dataSource) ?? this.resolved.get(dataSource);
    if (hit) return hit;
    const glob = this.globs.find((g) => g.matcher!.test(dataSource));
    if (!glob) throw new UnknownDataSourceError(dataSource, this.patterns);
    this.resolved.set(dataSource, glob);
    return glob;
  }
}

/** A reward that returns the wrong number of results or an invalid one is a bug: fail loudly. */
function checkResults(pattern: string, results: RewardResult[], expected: number): void {
  if (results.length !== expected) {
    throw new Error(`reward for "${pattern}" returned ${results.length} results for ${expected} samples`);
  }
  for (const r of results) {
    if (!Number.isFinite(r.score) || !(REWARD_STATUSES as readonly string[]).includes(r.status)) {
      throw new Error(`reward for "${pattern}" returned an invalid result: ${JSON.stringify(r)}`);
    }
  }
}

/** Builds a router from an already-parsed config object; `file` names it in errors and anchors paths. */
export function createRewardRouter(
  config: unknown,
  file: string,
  ctx: Partial<RewardFactoryContext> = {},
): RewardRouter {
  const parsed: RewardsConfig = parseRewardsConfig(config, file);
  return routerFromConfig(parsed, { baseDir: configBaseDir(resolve(file)), ...ctx });
}

export function loadRewardRouter(file: string, ctx: Partial<RewardFactoryContext> = {}): RewardRouter {
  return routerFromConfig(loadRewardsConfig(file), { baseDir: configBaseDir(resolve(file)), ...ctx });
}

function routerFromConfig(config: RewardsConfig, ctx: RewardFactoryContext): RewardRouter {
  const underlying: { name: string; reward: Reward }[] = [];
  const routes = config.routes.map(({ pattern, spec }) => ({
    pattern,
    reward: createReward(spec, ctx, pattern, underlying),
  }));
  return new RewardRouter(routes, underlying);
}
