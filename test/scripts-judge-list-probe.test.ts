import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { writingInfo } from "../src/embedded/judge-pairs.js";
import { readRows } from "../src/tasks/io.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "judge-list-probe.js");
const run = (args: string[]) =>
  spawnSync(process.execPath, [script, ...args], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMNI_KERNEL_THREADS: "1" },
  });

test("judge-list-probe: trains, measures the held-out lists at every probe step, and names bad options", async () => {
  const r = run(
    ["--model", "models/omni-tiny", "--steps", "2", "--every", "1", "--test-pairs", "4"].concat([
      "--extra-prompts",
      "0",
      "--question-only",
    ]),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /the prompt: the question alone/);
  assert.match(r.stdout, /^\| 2 \| \d \/ 4 \| \d+ \/ \d+ \|$/m);
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    heldOut: number;
    finalLoss: number;
    probes: { step: number; exact: number; words: number; requiredWords: number }[];
  };
  assert.equal(last.heldOut, 4);
  assert.deepEqual(
    last.probes.map((p) => p.step),
    [0, 1, 2],
  );
  // one pair per test prompt: the required words counted are those of the first four test prompts
  const test4 = (await readRows("datasets/writing/test.jsonl")).slice(0, 4);
  const required = test4.reduce((n, row) => n + writingInfo(row).keywords.length, 0);
  for (const p of last.probes) {
    assert.equal(p.requiredWords, required);
    assert.ok(p.exact <= 4 && p.words <= required);
  }
  assert.ok(Number.isFinite(last.finalLoss) && last.finalLoss > 0);
  const bad = run(["--every", "0"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--every: must be at least 1/);
});
