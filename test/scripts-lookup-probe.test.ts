// scripts/lookup-probe.ts: both look-up probes of train-base's copy probe on a model directory, with a
// usage error when no model is given.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, test } from "node:test";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

after(removeTempDirs);

const probe = (...args: string[]) =>
  spawnSync(process.execPath, ["dist/scripts/lookup-probe.js", ...args], { encoding: "utf8" });

test("lookup-probe prints both look-up accuracies on 60 held-out examples each", () => {
  const dir = writeTinyChatModel(tempDir("lookup-probe-"));
  const run = probe("--model", dir);
  assert.equal(run.status, 0, run.stderr);
  const last = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Record<string, number | string>;
  assert.equal(last.model, dir);
  assert.equal(last.examples, 60);
  for (const key of ["question", "reply"]) {
    const share = last[key] as number;
    assert.ok(
      share >= 0 && share <= 1 && Math.abs(share * 60 - Math.round(share * 60)) < 1e-9,
      `${key}: ${share} is a count of 60`,
    );
  }
});

test("lookup-probe without --model prints its usage", () => {
  const run = probe();
  assert.equal(run.status, 2);
  assert.match(run.stderr, /usage: node dist\/scripts\/lookup-probe\.js --model DIR/);
});
