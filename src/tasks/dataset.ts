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
 * Draws distinct items until all splits can be filled, shuffles them, then cuts test, sft and train
 * in that order, so every split has the same mix of families and difficulties.
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
  const out: Record<Split, Row[]> = { train: [], sft: [], test: [] };
  let next = 0;
  for (const split of ["test", "sft", "train"] as const) {
    for (let i = 0; i < sizes[split]; i++) out[split].push(itemToRow(gen, items[next++]!, split, i));
  }
  return out;
}
