// Extra SFT rows for omni-tiny: drawn from the task generators with another seed, they must share no
// dedup key with any train, sft or test row (RL and eval rows stay unseen) and be reproducible.
import assert from "node:assert/strict";
import { test } from "node:test";
import { extraSftRows, loadDomainRows } from "../src/embedded/corpus.js";
import { dedupKeys } from "../src/tasks/dedup.js";
import { SPLITS, TASK_NAMES } from "../src/tasks/schema.js";

test("extra SFT rows are disjoint from every dataset split, distinct, and the same for the same seed", async () => {
  const rows = await loadDomainRows("datasets");
  for (const task of TASK_NAMES) {
    const taken = SPLITS.flatMap((s) => rows[task][s]);
    const keys = new Set(taken.flatMap(dedupKeys));
    const extra = extraSftRows(task, 60, 0, taken);
    assert.equal(extra.length, 60, task);
    const own = new Set<string>();
    for (const row of extra) {
      assert.equal(row.data_source, task);
      assert.equal(row.extra_info.extra_sft, true);
      assert.equal(typeof row.extra_info.reference, "string");
      for (const k of dedupKeys(row)) {
        assert.ok(!keys.has(k), `${task}: extra row collides with a dataset row on ${k}`);
        assert.ok(!own.has(k), `${task}: two extra rows share ${k}`);
        own.add(k);
      }
    }
    assert.deepEqual(extraSftRows(task, 60, 0, taken), extra);
    assert.notDeepEqual(extraSftRows(task, 60, 1, taken), extra);
  }
});
