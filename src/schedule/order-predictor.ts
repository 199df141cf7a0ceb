// Predicts a curriculum's final scores from a backward-transfer matrix and ranks the stage orders.
//
// Under the method's two assumptions (transfer is constant; a stage saturates its task), the final
// score of the task trained at stage k of order s = (s1..sK) is
//
//   A*[s_k] + sum over l > k of B[s_l -> s_k]
//
// i.e. its single-task score plus the transfer from every task trained after it. An order's value is
// the mean over tasks. The sum of A* is the same for every order, so the ranking depends only on B:
// finding the best order is a linear-ordering problem. It is solved exactly by enumeration for small K
// and by greedy insertion + local search (several seeded restarts) beyond that.
import { Rng } from "../engine/rng.js";
import type { BwtFile } from "./bwt.js";

export interface OrderPrediction {
  /** Task indices (into bwt.tasks), first stage first. */
  order: number[];
  /** The same order as task names. */
  names: string[];
  /** Predicted final score of each task, indexed like bwt.tasks (NOT by stage). */
  perTask: number[];
  /** Mean of perTask: the order's value. */
  mean: number;
  /** Standard error of `mean` from B_stderr (entries assumed independent), when the file has B_stderr. */
  meanStderr?: number;
}

/** Turns an order given by task names or indices into indices, checking it is a permutation of the tasks. */
export function resolveOrder(bwt: BwtFile, order: readonly (number | string)[]): number[] {
  const k = bwt.tasks.length;
  const indices = order.map((t) => {
    const i = typeof t === "number" ? t : bwt.tasks.indexOf(t);
    if (!Number.isInteger(i) || i < 0 || i >= k) {
      throw new Error(`order: unknown task ${JSON.stringify(t)} (tasks: ${bwt.tasks.join(", ")})`);
    }
    return i;
  });
  if (indices.length !== k || new Set(indices).size !== k) {
    throw new Error(`order: must name each of the ${k} tasks exactly once (got ${JSON.stringify(order)})`);
  }
  return indices;
}

/** The predicted mean score of an order given as indices (no validation, no allocation: the search's hot path). */
export function orderValue(bwt: BwtFile, order: readonly number[]): number {
  let sum = 0;
  for (let k = 0; k < order.length; k++) {
    const affected = order[k]!;
    sum += bwt.A_star[affected]!;
    for (let l = k + 1; l < order.length; l++) sum += bwt.B[order[l]!]![affected]!;
  }
  return sum / order.length;
}

/** Predicted final score of every task, and their mean, for one stage order. */
export function predictOrder(bwt: BwtFile, order: readonly (number | string)[]): OrderPrediction {
  const indices = resolveOrder(bwt, order);
  const k = indices.length;
  const perTask = new Array<number>(k).fill(0);
  let variance = 0;
  for (let pos = 0; pos < k; pos++) {
    const affected = indices[pos]!;
    let score = bwt.A_star[affected]!;
    for (let l = pos + 1; l < k; l++) {
      const later = indices[l]!;
      score += bwt.B[later]![affected]!;
      if (bwt.B_stderr) variance += bwt.B_stderr[later]![affected]! ** 2;
    }
    perTask[affected] = score;
  }
  const prediction: OrderPrediction = {
    order: indices,
    names: indices.map((i) => bwt.tasks[i]!),
    perTask,
    mean: perTask.reduce((a, b) => a + b, 0) / k,
  };
  if (bwt.B_stderr) prediction.meanStderr = Math.sqrt(variance) / k;
  return prediction;
}

/**
 * The paper's order: structured tasks first (in the given order), open-ended tasks last (in the given
 * order too). Names in `openEnded` that are not tasks are ignored.
 */
export function heuristicOrder(tasks: readonly string[], opts: { openEnded: readonly string[] }): string[] {
  const open = new Set(opts.openEnded);
  return [...tasks.filter((t) => !open.has(t)), ...tasks.filter((t) => open.has(t))];
}

/** All permutations of 0..k-1 in lexicographic order. */
export function* permutations(k: number): Generator<number[]> {
  const p = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield p.slice();
    // Next lexicographic permutation: find the rightmost ascent, swap with the smallest larger suffix
    // element, reverse the suffix.
    let i = k - 2;
    while (i >= 0 && p[i]! >= p[i + 1]!) i--;
    if (i < 0) return;
    let j = k - 1;
    while (p[j]! <= p[i]!) j--;
    [p[i], p[j]] = [p[j]!, p[i]!];
    for (let a = i + 1, b = k - 1; a < b; a++, b--) [p[a], p[b]] = [p[b]!, p[a]!];
  }
}

export interface SearchOptions {
  /** Search for the highest (default) or the lowest predicted mean. */
  maximize?: boolean;
  /** Local-search restarts from random orders, on top of the greedy start (default 20). */
  restarts?: number;
  seed?: number;
}

// Improvements smaller than this are float noise, not a better order.
const EPS = 1e-12;

/** Inserts each task, in index order, where it raises (or lowers) the objective most. */
function greedyInsertion(score: (o: number[]) => number, k: number): number[] {
  let order: number[] = [];
  for (let task = 0; task < k; task++) {
    let best: number[] = [];
    let bestScore = -Infinity;
    for (let pos = 0; pos <= order.length; pos++) {
      const candidate = [...order.slice(0, pos), task, ...order.slice(pos)];
      const s = score(candidate);
      if (s > bestScore + EPS) [best, bestScore] = [candidate, s];
    }
    order = best;
  }
  return order;
}

/** First-improvement local search over insertion moves and pairwise swaps, until no move helps. */
function localSearch(score: (o: number[]) => number, start: number[]): number[] {
  let order = start.slice();
  let current = score(order);
  const k = order.length;
  let improved = true;
  while (improved) {
    improved = false;
    for (let from = 0; from < k; from++) {
      for (let to = 0; to < k; to++) {
        if (to === from) continue;
        const moved = order.slice();
        const [task] = moved.splice(from, 1);
        moved.splice(to, 0, task!);
        const s = score(moved);
        if (s > current + EPS) [order, current, improved] = [moved, s, true];
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const swapped = order.slice();
        [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
        const s = score(swapped);
        if (s > current + EPS) [order, current, improved] = [swapped, s, true];
      }
    }
  }
  return order;
}

/** Heuristic search for the best (or worst) order: greedy insertion and random restarts, each polished by local search. */
export function searchOrder(bwt: BwtFile, opts: SearchOptions = {}): OrderPrediction {
  const k = bwt.tasks.length;
  const sign = (opts.maximize ?? true) ? 1 : -1;
  const score = (o: number[]) => sign * orderValue(bwt, o);
  const rng = new Rng(opts.seed ?? 0);
  let best = localSearch(score, greedyInsertion(score, k));
  let bestScore = score(best);
  for (let r = 0; r < (opts.restarts ?? 20); r++) {
    const start = rng.shuffle(Array.from({ length: k }, (_, i) => i));
    const found = localSearch(score, start);
    const s = score(found);
    if (s > bestScore + EPS) [best, bestScore] = [found, s];
  }
  return predictOrder(bwt, best);
}

export interface RankedOrders {
  /** True when every order was enumerated (K <= maxExhaustiveK): best and worst are exact. */
  exhaustive: boolean;
  best: OrderPrediction;
  /** The order ranked floor((n-1)/2) in the best-first list (of a random sample of orders when not exhaustive). */
  median: OrderPrediction;
  worst: OrderPrediction;
  /** Every order, best first (only when exhaustive). Ties are broken by lexicographic task-index order. */
  all?: OrderPrediction[];
  /** How many orders the median was taken over. */
  medianOver: number;
}

export interface RankOptions extends Omit<SearchOptions, "maximize"> {
  /** Enumerate all K! orders up to this K (default 8: 40,320 orders). */
  maxExhaustiveK?: number;
  /** Random orders sampled for the median when not exhaustive (default 5000). */
  medianSample?: number;
}

function byMeanDescending(a: OrderPrediction, b: OrderPrediction): number {
  if (b.mean !== a.mean) return b.mean - a.mean;
  for (let i = 0; i < a.order.length; i++) if (a.order[i] !== b.order[i]) return a.order[i]! - b.order[i]!;
  return 0;
}

/** Best, median and worst predicted orders: exact for K <= maxExhaustiveK, heuristic search beyond. */
export function rankOrders(bwt: BwtFile, opts: RankOptions = {}): RankedOrders {
  const k = bwt.tasks.length;
  if (k <= (opts.maxExhaustiveK ?? 8)) {
    const all = Array.from(permutations(k), (o) => predictOrder(bwt, o)).sort(byMeanDescending);
    return {
      exhaustive: true,
      best: all[0]!,
      median: all[Math.floor((all.length - 1) / 2)]!,
      worst: all[all.length - 1]!,
      all,
      medianOver: all.length,
    };
  }
  const search = { restarts: opts.restarts, seed: opts.seed };
  const rng = new Rng((opts.seed ?? 0) ^ 0x6d656469);
  const sample = Array.from({ length: opts.medianSample ?? 5000 }, () =>
    rng.shuffle(Array.from({ length: k }, (_, i) => i)),
  )
    .map((o) => predictOrder(bwt, o))
    .sort(byMeanDescending);
  return {
    exhaustive: false,
    best: searchOrder(bwt, { ...search, maximize: true }),
    median: sample[Math.floor((sample.length - 1) / 2)]!,
    worst: searchOrder(bwt, { ...search, maximize: false }),
    medianOver: sample.length,
  };
}
