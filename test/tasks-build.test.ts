import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as dataCommand from "../src/cli/commands/data.js";
import {
  buildDatasets,
  buildTaskRows,
  DEFAULT_SEED,
  parseBuildArgs,
  parseSizes,
  splitsToJsonl,
} from "../src/tasks/build.js";
import { balancedTest, DEFAULT_SIZES, type TaskItem } from "../src/tasks/dataset.js";
import { dedupKeys, normalizeText } from "../src/tasks/dedup.js";
import { readRows } from "../src/tasks/io.js";
import { type Row, SPLITS, type Split, TASK_NAMES, type TaskName } from "../src/tasks/schema.js";
import { runCommand } from "./helpers/run-command.js";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DATASETS = join(ROOT, "datasets");
const tmp = tempDir("omni-tasks-build-");
after(() => rmSync(tmp, { recursive: true, force: true }));

const committed = new Map<TaskName, Record<Split, Row[]>>();
async function committedRows(task: TaskName): Promise<Record<Split, Row[]>> {
  let splits = committed.get(task);
  if (!splits) {
    splits = {
      train: await readRows(join(DATASETS, task, "train.jsonl")),
      sft: await readRows(join(DATASETS, task, "sft.jsonl")),
      test: await readRows(join(DATASETS, task, "test.jsonl")),
    };
    committed.set(task, splits);
  }
  return splits;
}

test("rebuilding every task at the default seed and sizes gives byte-identical files to the committed ones", () => {
  const out = join(tmp, "rebuild");
  const log: string[] = [];
  const t0 = performance.now();
  const reports = buildDatasets({
    seed: DEFAULT_SEED,
    out,
    tasks: [...TASK_NAMES],
    sizes: DEFAULT_SIZES,
    log: (l) => log.push(l),
  });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(reports.length, 4);
  for (const task of TASK_NAMES) {
    for (const split of SPLITS) {
      const rebuilt = readFileSync(join(out, task, `${split}.jsonl`));
      const original = readFileSync(join(DATASETS, task, `${split}.jsonl`));
      assert.equal(rebuilt.length, original.length, `${task}/${split}.jsonl size`);
      assert.ok(rebuilt.equals(original), `${task}/${split}.jsonl differs from the committed file`);
    }
  }
  // One progress line before and one after each task.
  assert.equal(log.filter((l) => / wrote /.test(l)).length, 4);
  assert.match(log[0]!, /^\[math\] generating 5000 train, 2000 sft, 500 test rows$/);
  console.log(`# full rebuild of 4 tasks: ${seconds.toFixed(1)} s`);
});

test("the same seed gives the same rows and another seed gives different rows, at small sizes", () => {
  const sizes = { train: 60, sft: 20, test: 20 };
  for (const task of TASK_NAMES) {
    const a = splitsToJsonl(buildTaskRows(task, 7, sizes));
    const b = splitsToJsonl(buildTaskRows(task, 7, sizes));
    const c = splitsToJsonl(buildTaskRows(task, 8, sizes));
    for (const split of SPLITS) assert.equal(a[split], b[split], `${task}/${split} with seed 7 twice`);
    assert.notEqual(a.test, c.test, `${task}: seeds 7 and 8 gave the same test split`);
    assert.equal(a.train.split("\n").length - 1, 60);
  }
});

test("building one task alone gives the same rows as building it among all tasks", () => {
  const sizes = { train: 30, sft: 10, test: 10 };
  const alone = buildDatasets({ seed: 3, out: join(tmp, "alone"), tasks: ["writing"], sizes, log: () => {} });
  const all = buildDatasets({ seed: 3, out: join(tmp, "all"), tasks: [...TASK_NAMES], sizes, log: () => {} });
  assert.equal(alone.length, 1);
  assert.equal(all.length, 4);
  for (const split of SPLITS) {
    assert.equal(
      readFileSync(join(tmp, "alone", "writing", `${split}.jsonl`), "utf8"),
      readFileSync(join(tmp, "all", "writing", `${split}.jsonl`), "utf8"),
    );
  }
});

test("the committed splits meet the sizes: train 5000, sft 2000, test 500 per task, indexed 0..n-1", async () => {
  for (const task of TASK_NAMES) {
    const splits = await committedRows(task);
    assert.equal(splits.train.length, 5000, `${task} train`);
    assert.equal(splits.sft.length, 2000, `${task} sft`);
    assert.equal(splits.test.length, 500, `${task} test`);
    for (const split of SPLITS) {
      splits[split].forEach((row, i) => {
        assert.equal(row.data_source, task);
        assert.equal(row.extra_info.split, split);
        assert.equal(row.extra_info.index, i);
        assert.ok((row.extra_info.reference ?? "").length > 0, `${task}/${split}:${i + 1} has no reference`);
      });
    }
  }
});

test("no row is shared between train, sft and test, not even as a near-duplicate", async () => {
  for (const task of TASK_NAMES) {
    const splits = await committedRows(task);
    // Near-duplicate keys: normalized prompt text plus the task's semantic key (see dedup.ts), and
    // for tasks whose reference is specific to the row, the reference too: the same worked solution
    // or the same function means the same task, whatever the prompt says around it. (Code and math
    // keep their operators: "len(w) > 7" and "len(w) < 7" are different tasks.)
    const owner = new Map<string, string>();
    let keys = 0;
    for (const split of SPLITS) {
      splits[split].forEach((row, i) => {
        const rowKeys = dedupKeys(row);
        const ref = row.extra_info.reference ?? "";
        if (task === "writing") rowKeys.push(`ref:${normalizeText(ref)}`);
        else if (task !== "qa") rowKeys.push(`ref:${ref.replace(/\s+/g, " ").trim()}`);
        for (const key of rowKeys) {
          const where = `${split}:${i + 1}`;
          const first = owner.get(key);
          assert.equal(first, undefined, `${task}: ${where} repeats ${first} (key ${key.slice(0, 120)})`);
          owner.set(key, where);
          keys++;
        }
      });
    }
    assert.equal(keys, 7500 * (task === "qa" ? 2 : 3));
  }
});

test("the code test split is spread over the families, at most a third of any family", async () => {
  const { train, sft, test: testRows } = await committedRows("code");
  const count = (rows: Row[]) => {
    const c = new Map<string, number>();
    for (const r of rows) c.set(String(r.extra_info.family), (c.get(String(r.extra_info.family)) ?? 0) + 1);
    return c;
  };
  const inTest = count(testRows);
  const all = count([...train, ...sft, ...testRows]);
  for (const [family, n] of inTest) {
    assert.ok(n <= Math.floor(all.get(family)! / 3), `${family}: ${n} test rows of ${all.get(family)}`);
  }
  // Every family with enough rows is in the test split, and no family fills it.
  for (const [family, n] of all) if (n >= 9) assert.ok(inTest.has(family), `${family} missing from test`);
  assert.ok(Math.max(...inTest.values()) <= 40, "one family holds more than 40 of the 500 test rows");
  // In the train split the large families still dominate: the spread is the test split's own.
  assert.ok(Math.max(...count(train).values()) > 500);
});

test("balancedTest tops up in draw order when the strata are too small for thirds", () => {
  const items = ["a", "a", "a", "b", "c", "c", "c", "c", "c", "c"].map((s, i) => ({ s, i }));
  const item = (x: { s: string; i: number }) => x as unknown as TaskItem;
  const picked = [...balancedTest(items.map(item), 4, (it) => (it as unknown as { s: string }).s)].map(
    (it) => (it as unknown as { i: number }).i,
  );
  // Thirds: one "a" (index 0), two "c" (3 and 4 of six -> indices 4, 5); then topped up with index 1.
  assert.deepEqual(
    picked.sort((x, y) => x - y),
    [0, 1, 4, 5],
  );
});

test("the math near-duplicate key catches the same numbers in other wording", async () => {
  const [row] = (await committedRows("math")).test;
  const renamed = structuredClone(row!);
  renamed.prompt[0]!.content = renamed.prompt[0]!.content.replace(/\b[a-z]{4,}\b/, "widget");
  assert.notEqual(renamed.prompt[0]!.content, row!.prompt[0]!.content);
  const shared = dedupKeys(renamed).filter((k) => dedupKeys(row!).includes(k));
  assert.equal(shared.length, 1);
  assert.match(shared[0]!, /^math:/);
});

test("build options: --sizes takes train,sft,test or split=n, and bad values are refused", () => {
  assert.deepEqual(parseSizes("10,5,3"), { train: 10, sft: 5, test: 3 });
  assert.deepEqual(parseSizes("test=7"), { train: 5000, sft: 2000, test: 7 });
  assert.throws(() => parseSizes("10,5"), /expected train,sft,test/);
  assert.throws(() => parseSizes("dev=3"), /unknown split "dev"/);
  const opts = parseBuildArgs(["--seed", "9", "--out=x", "--tasks", "qa,math", "--sizes", "1,2,3"]);
  assert.deepEqual(opts, { seed: 9, out: "x", tasks: ["qa", "math"], sizes: { train: 1, sft: 2, test: 3 } });
  assert.throws(() => parseBuildArgs(["--tasks", "poetry"]), /unknown task "poetry"/);
});

test("`data build` writes the requested tasks and sizes and reports progress on stderr", async () => {
  const out = join(tmp, "cli");
  const saved = process.stderr.write.bind(process.stderr);
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await runCommand(dataCommand, ["data", "build", "--out", out, "--tasks", "math", "--sizes", "12,4,5"]);
  } finally {
    process.stderr.write = saved;
  }
  const lines = (split: string) =>
    readFileSync(join(out, "math", `${split}.jsonl`), "utf8").split("\n").length - 1;
  assert.deepEqual([lines("train"), lines("sft"), lines("test")], [12, 4, 5]);
  assert.match(stderr, /\[math\] wrote /);
});
