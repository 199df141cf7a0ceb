// The shipped smoke run, as a user runs it: `omni-thinker train --config configs/quick.yaml` on the
// embedded omni-tiny policy, with the four tasks' rewards from configs/rewards.yaml (the writing judge
// is the embedded omni-tiny-judge, in-process).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tmp = tempDir("omni-quick-");
after(() => rmSync(tmp, { recursive: true, force: true }));

test("configs/quick.yaml trains omni-tiny jointly on the four tasks and leaves a complete run directory", () => {
  const cli = join(ROOT, "bin", "omni-thinker.js");
  const r = spawnSync(
    process.execPath,
    [cli, "train", "--config", "configs/quick.yaml", "--out-dir", tmp, "--name", "smoke", "--no-progress"],
    { cwd: ROOT, encoding: "utf8", timeout: 600_000 },
  );
  assert.equal(r.status, 0, `train failed:\n${r.stderr}`);
  const run = join(tmp, "smoke");
  const lines = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n");
  const steps = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((m) => m.kind === "train");
  assert.equal(steps.at(-1)!.step, 8);
  const last = steps.at(-1)!;
  for (const task of ["math", "code", "qa", "writing"]) {
    // every task was sampled and scored every step, with its reward statuses counted
    for (const m of steps)
      assert.equal(typeof m[`${task}/reward_mean`], "number", `${task} at step ${m.step}`);
    const statusTotal = Object.keys(last)
      .filter((k) => k.startsWith(`${task}/status/`))
      .reduce((a, k) => a + (last[k] as number), 0);
    assert.ok(statusTotal > 0, `${task}: no reward statuses counted`);
  }
  assert.equal(typeof last.lr, "number");
  assert.ok(existsSync(join(run, "config.yaml")));
  assert.ok(readdirSync(join(run, "checkpoints")).some((d) => d === "step-8"));
  assert.ok(readdirSync(join(run, "eval")).length > 0, "the at_end evaluation wrote eval/step-8.json");
});
