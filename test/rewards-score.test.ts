import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createRewardRouter } from "../src/rewards/router.js";
import { formatSummary, scoreFile } from "../src/rewards/score-file.js";
import { tempDir } from "./helpers/temp-dir.js";

const exactMatch = {
  type: "string_check",
  input: "{{sample.output_text}}",
  reference: "{{item.ground_truth}}",
  operation: "eq",
};

const rows = [
  JSON.stringify({
    data_source: "qa",
    prompt: "Sky blue?",
    response: "yes",
    reward_model: { ground_truth: "yes" },
    id: 1,
  }),
  "{this is not json",
  JSON.stringify({
    data_source: "qa",
    prompt: [{ role: "user", content: "Grass red?" }],
    response: "yes",
    reward_model: { ground_truth: "no" },
  }),
  JSON.stringify({
    data_source: "astrology",
    prompt: "?",
    response: "x",
    reward_model: { ground_truth: "y" },
  }),
  JSON.stringify({ data_source: "qa", prompt: "missing response" }),
  "",
  JSON.stringify({
    data_source: "qa",
    prompt: "Sky blue?",
    response: "yes",
    reward_model: { ground_truth: "yes" },
  }),
];

function workdir(): string {
  return tempDir("score-");
}

test("every row comes back in order with its reward, and bad rows carry an error naming their line", async () => {
  const dir = workdir();
  const input = join(dir, "rows.jsonl");
  const output = join(dir, "scored.jsonl");
  writeFileSync(input, `${rows.join("\n")}\n`);
  const router = createRewardRouter({ rewards: { qa: exactMatch } }, "inline.yaml");
  const summary = await scoreFile(router, input, output, { batchSize: 2 });
  await router.close();

  const out = readFileSync(output, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(out.length, 6, "the blank line is skipped, every other line has an output row");
  assert.deepEqual(out[0].reward.score, 1);
  assert.equal(out[0].id, 1, "input fields are kept");
  assert.match(out[1].error, /^line 2: invalid JSON/);
  assert.equal(out[2].reward.score, 0);
  assert.equal(out[2].reward.status, "ok");
  assert.match(out[3].error, /^line 4: unknown data_source "astrology"/);
  assert.match(out[4].error, /^line 5: response/);
  assert.equal(out[5].reward.score, 1);

  assert.equal(summary.rows, 6);
  assert.equal(summary.failedRows, 3);
  assert.equal(summary.tasks.qa!.count, 4);
  assert.equal(summary.tasks.qa!.statuses.ok, 3);
  const table = formatSummary(summary);
  assert.match(table, /qa\s+4\s+0\.6667\s+0\.6667\s+1\s+ok=3/);
  assert.deepEqual(readdirSync(dir).sort(), ["rows.jsonl", "scored.jsonl"], "no temp file is left behind");
});

test("the score command prints the per-task table and exits 1 when some rows failed", () => {
  const dir = workdir();
  const input = join(dir, "rows.jsonl");
  const output = join(dir, "scored.jsonl");
  const rewards = join(dir, "rewards.yaml");
  writeFileSync(input, `${rows.join("\n")}\n`);
  writeFileSync(
    rewards,
    "rewards:\n  qa:\n    type: string_check\n    input: '{{sample.output_text}}'\n    reference: '{{item.ground_truth}}'\n    operation: eq\n",
  );
  const run = spawnSync(
    process.execPath,
    ["bin/omni-thinker.js", "score", "--rewards", rewards, "--input", input, "--output", output],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /task\s+count\s+mean_score/);
  assert.match(run.stdout, /qa\s+4/);
  assert.match(run.stderr, /3 row\(s\) could not be scored/);
  assert.equal(readFileSync(output, "utf8").trimEnd().split("\n").length, 6);
});

test("the score command names the file and field of a bad rewards config", () => {
  const dir = workdir();
  const rewards = join(dir, "rewards.yaml");
  writeFileSync(rewards, "rewards:\n  qa:\n    type: string_check\n    operation: eq\n");
  writeFileSync(join(dir, "rows.jsonl"), "");
  const run = spawnSync(
    process.execPath,
    ["bin/omni-thinker.js", "score", "--rewards", rewards, "--input", join(dir, "rows.jsonl")],
    { encoding: "utf8" },
  );
  assert.notEqual(run.status, 0);
  assert.ok(run.stderr.includes(rewards));
  assert.match(run.stderr, /rewards\.qa\.(input|reference)/);
});
