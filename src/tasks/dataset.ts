// Turns a task generator into deduplicated train / sft / test rows in verl's schema.
// Candidates are drawn from one seeded stream; a candidate whose dedup key was already taken is
// dropped, so no two rows anywhere in a task's splits share a key (see dedup.ts).
import { Rng } from "../engine/rng.js";
import { dedupKeys } from "./dedup.js";
import type { GroundTruth, Row, Split, TaskName } from "./schema.js";

export interface TaskItem {
  /** The user message. */
  prompt: string;
  difficulty: number;
  style: "rule" | "model";
  groundTruth: GroundTruth;
  /** The SFT target response. */
  reference: string;
  /** Task-specific extra_info fields (family, params, options...). */
  extra: Record<string, unknown>;
}

/** Draws one candidate; null when the draw broke a constraint (or repeated itself) and should be redrawn. */
export type Drawer = (rng: Rng) => TaskItem | null;

export interface TaskGenerator {
  name: TaskName;
  ability: string;
  /** A fresh drawer per build (drawers may remember what they drew to skip repeats cheaply). */
  createDrawer(): Drawer;
  /**
   * When set, the test split is spread evenly over these strata (e.g. code's families) instead of
   * following the draw's mix; see balancedTest.
   */
  testStratum?(item: TaskItem): string;
}

export type SplitSizes = Record<Split, number>;

export const DEFAULT_SIZES: SplitSizes = { train: 5000, sft: 2000, test: 500 };

/** A task's own stream: the same for a given seed whether one task or all are built. */
export function taskRng(seed: number, task: string): Rng {
  let h = 0x811c9dc5;
  for (const ch of task) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return new Rng((h ^ seed) >>> 0);
}

export function itemToRow(gen: TaskGenerator, item: TaskItem, split: Split, index: number): Row {
  return {
    data_source: gen.name,
    prompt: [{ role: "user", content: item.prompt }],
    ability: gen.ability,
    reward_model: { style: item.style, ground_truth: item.groundTruth },
    extra_info: { split, index, difficulty: item.difficulty, reference: item.reference, ...item.extra },
  };
}

/**
 * Draws distinct items until all splits can be filled and shuffles them. Test is cut first (the first
 * items, or an even spread over the generator's test strata), then sft and train from the rest, so
 * without strata every split has the same mix of families and difficulties.
 */
export function buildSplits(gen: TaskGenerator, seed: number, sizes: SplitSizes): Record<Split, Row[]> {
  const rng = taskRng(seed, gen.name);
  const draw = gen.createDrawer();
  const seen = new Set<string>();
  const items: TaskItem[] = [];
  const total = sizes.test + sizes.sft + sizes.train;
  const maxDraws = total * 50 + 1000;
  let draws = 0;
  while (items.length < total) {
    if (++draws > maxDraws) {
      throw new Error(
        `${gen.name}: generator ran out of distinct tasks after ${draws - 1} draws (${items.length} of ${total})`,
      );
    }
    const item = draw(rng);
    if (!item) continue;
    const keys = dedupKeys(itemToRow(gen, item, "train", 0));
    if (keys.some((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    items.push(item);
  }
  rng.shuffle(items);
  const stratum = gen.testStratum?.bind(gen);
  const test = stratum ? balancedTest(items, sizes.test, stratum) : new Set(items.slice(0, sizes.test));
  const testItems = items.filter((it) => test.has(it));
  const rest = items.filter((it) => !test.has(it));
  if (stratum) {
    // The picks were each stratum's first items, so the large strata's come early: shuffle both
    // parts, so that the first rows of test are a fair sample of it (eval --limit) and sft is not
    // left with fewer of the small strata than train.
    rng.shuffle(rest);
    rng.shuffle(testItems);
  }
  return {
    test: testItems.map((it, i) => itemToRow(gen, it, "test", i)),
    sft: rest.slice(0, sizes.sft).map((it, i) => itemToRow(gen, it, "sft", i)),
    train: rest.slice(sizes.sft).map((it, i) => itemToRow(gen, it, "train", i)),
  };
}

/**
 * Picks `size` test items round-robin over the strata (in order of first appearance in the shuffled
 * items), taking at most a third of any stratum so each keeps rows for training. A generator whose
 * strata differ a lot in size (code: six families with thousands of parameter choices, others with a
 * handful) would otherwise fill its test split with the large strata alone. If the thirds run out
 * (small builds), the rest is topped up in shuffled order.
 */
export function balancedTest(
  items: TaskItem[],
  size: number,
  stratum: (item: TaskItem) => string,
): Set<TaskItem> {
  const byStratum = new Map<string, TaskItem[]>();
  for (const it of items) {
    const k = stratum(it);
    const list = byStratum.get(k);
    if (list) list.push(it);
    else byStratum.set(k, [it]);
  }
  const queues = [...byStratum.values()].map((list) => list.slice(0, Math.floor(list.length / 3)));
  const longest = Math.max(0, ...queues.map((q) => q.length));
  const picked = new Set<TaskItem>();
  for (let round = 0; round < longest && picked.size < size; round++) {
    for (const q of queues) {
      if (round < q.length && picked.size < size) picked.add(q[round]!);
    }
  }
  for (const it of items) {
    if (picked.size >= size) break;
    picked.add(it);
  }
  return picked;
}
