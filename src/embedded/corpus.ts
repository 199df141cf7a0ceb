// Text the embedded models are built from: the four domains' dataset rows and the WordNet glosses.
//
// What each stage may see (so that RL has something left to learn):
//   tokenizer  - train-split prompts and references of every domain, plus all WordNet glosses;
//   pretrain   - train- and sft-split *prompts* only, plus WordNet glosses with every example sentence
//                that is a writing reference in the train or test split removed;
//   SFT        - the sft split (prompt -> reference), in chat format, plus extra rows drawn from the same
//                generators with another seed, keeping only rows whose dedup keys (src/tasks/dedup.ts)
//                match no train, sft or test row: more distinct examples, none of them an RL or eval task.
// Test-split prompts and train/test references never reach the model's weights.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readWordnetGlosses } from "../demo/wordnet-corpus.js";
import { Rng } from "../engine/rng.js";
import { codeTask } from "../tasks/code/generate.js";
import { buildSplits, DEFAULT_SIZES, itemToRow, type TaskGenerator, taskRng } from "../tasks/dataset.js";
import { dedupKeys } from "../tasks/dedup.js";
import { readRows } from "../tasks/io.js";
import { mathTask } from "../tasks/math/generate.js";
import { qaTask } from "../tasks/qa/generate.js";
import { promptText, type Row, SPLITS, type Split, TASK_NAMES, type TaskName } from "../tasks/schema.js";
import { writingTask } from "../tasks/writing/generate.js";

export type DomainRows = Record<TaskName, Record<Split, Row[]>>;

const GENERATORS: Record<TaskName, TaskGenerator> = {
  math: mathTask,
  code: codeTask,
  qa: qaTask,
  writing: writingTask,
};

/** The bundled datasets' seed (src/tasks/build.ts), used when the files are not on disk. */
export const DATASET_SEED = 1;

/**
 * Rows of every domain and split: datasets/<task>/<split>.jsonl when present, else the same rows
 * generated in memory (buildSplits is deterministic).
 */
export async function loadDomainRows(dir = "datasets"): Promise<DomainRows> {
  const out = {} as DomainRows;
  for (const task of TASK_NAMES) {
    const files = SPLITS.map((s) => join(dir, task, `${s}.jsonl`));
    if (files.every((f) => existsSync(f))) {
      const splits = {} as Record<Split, Row[]>;
      for (const [i, s] of SPLITS.entries()) splits[s] = await readRows(files[i]!);
      out[task] = splits;
    } else {
      out[task] = buildSplits(GENERATORS[task], DATASET_SEED, DEFAULT_SIZES);
    }
  }
  return out;
}

/**
 * Up to `count` extra SFT rows for `task`: drawn from its generator with a seed the datasets do not
 * use, skipping any candidate that shares a dedup key with a row of `taken` (every split of the
 * bundled dataset) or with an earlier extra row. Deterministic for a given seed.
 */
export function extraSftRows(task: TaskName, count: number, seed: number, taken: readonly Row[]): Row[] {
  const seen = new Set<string>();
  for (const row of taken) for (const k of dedupKeys(row)) seen.add(k);
  // taskRng(DATASET_SEED, task) drew the datasets; this stream is a different one for any `seed`.
  const rng = new Rng((taskRng(DATASET_SEED, task).nextU32() ^ (0x9e3779b9 + seed)) >>> 0);
  const rows = drawDisjointRows(GENERATORS[task], count, rng, seen, "sft");
  for (const row of rows) row.extra_info.extra_sft = true;
  return rows;
}

/**
 * Up to `count` rows from `gen` whose dedup keys are not in `seen` nor shared with each other; their
 * keys are added to `seen`. Gives up after count * 20 + 1000 draws (a generator can run out).
 */
export function drawDisjointRows(
  gen: TaskGenerator,
  count: number,
  rng: Rng,
  seen: Set<string>,
  split: Split,
): Row[] {
  const draw = gen.createDrawer();
  const out: Row[] = [];
  const maxDraws = count * 20 + 1000;
  for (let draws = 0; out.length < count && draws < maxDraws; draws++) {
    const item = draw(rng);
    if (!item) continue;
    const row = itemToRow(gen, item, split, out.length);
    const keys = dedupKeys(row);
    if (keys.some((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    out.push(row);
  }
  return out;
}

export function referenceOf(row: Row): string {
  const r = row.extra_info.reference;
  if (typeof r !== "string") throw new Error(`${row.data_source} row ${row.extra_info.index}: no reference`);
  return r;
}

/** Texts the tokenizer is trained on: train-split prompts and references, and the WordNet glosses. */
export function tokenizerTexts(rows: DomainRows, glosses: readonly string[]): string[] {
  const texts: string[] = [];
  for (const task of TASK_NAMES) {
    for (const row of rows[task].train) texts.push(promptText(row), referenceOf(row));
  }
  texts.push(...glosses);
  return texts;
}

const normalize = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/**
 * WordNet gloss lines without the example sentences that the writing task's train and test rows use
 * as references ("lemma: definition; \"example\"" -> "lemma: definition").
 */
export function glossesWithoutHeldOutExamples(rows: DomainRows, glosses: readonly string[]): string[] {
  const held = new Set<string>();
  for (const split of ["train", "test"] as const) {
    for (const row of rows.writing[split]) {
      const ex = row.extra_info.example;
      if (typeof ex === "string") held.add(normalize(ex));
    }
  }
  return glosses.map((line) =>
    line
      .split("; ")
      .filter((part) => !(part.startsWith('"') && held.has(normalize(part))))
      .join("; "),
  );
}

/** Pretraining documents: train/sft prompts of every domain and the filtered WordNet glosses. */
export function pretrainTexts(rows: DomainRows, glosses: readonly string[]): string[] {
  const texts: string[] = [];
  for (const task of TASK_NAMES) {
    for (const split of ["train", "sft"] as const)
      for (const row of rows[task][split]) texts.push(promptText(row));
  }
  texts.push(...glossesWithoutHeldOutExamples(rows, glosses));
  return texts;
}

export function wordnetGlosses(): string[] {
  return readWordnetGlosses();
}
