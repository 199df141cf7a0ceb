import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "judge-precision.js");
const run = (args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });

test("judge-precision: an exact reader agrees fully, a noisier one less, and bad options are named", () => {
  const r = run(["--pairs", "200", "--repeats", "4"]);
  assert.equal(r.status, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    pairs: number;
    table: { sd: number; agreement: number }[];
  };
  assert.equal(last.pairs, 200);
  assert.deepEqual(last.table[0], { sd: 0, agreement: 1 });
  const at = (sd: number) => last.table.find((t) => t.sd === sd)!.agreement;
  assert.ok(at(0.01) < 1 && at(0.01) > at(0.05) && at(0.05) > at(0.1), JSON.stringify(last.table));
  assert.ok(at(0.1) > 0.5, "noise of 0.1 still reads the large gaps");
  const bad = run(["--pairs", "lots"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--pairs: "lots" is not a whole number > 0/);
});
