// `omni-thinker canaries` end to end: the CLI, a rewards config whose writing route is a pairwise
// judge, and a real fake OpenAI-compatible judge server on loopback.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";
import { tempDir } from "./helpers/temp-dir.js";

let server: FakeOpenAiServer;
let dir: string;

before(async () => {
  server = await startFakeOpenAiServer();
  dir = tempDir("canaries-");
  writeFileSync(
    join(dir, "rewards.yaml"),
    [
      "rewards:",
      "  writing:",
      "    type: judge_pairwise",
      "    model: fake-judge",
      `    base_url: ${server.baseUrl}`,
      "",
    ].join("\n"),
  );
  const rows = Array.from({ length: 5 }, (_, i) =>
    JSON.stringify({
      data_source: "writing",
      prompt: [{ role: "user", content: `Write one sentence that uses the word "lantern" (${i}).` }],
      ability: "writing",
      reward_model: { style: "model", ground_truth: `The lantern glowed softly in window number ${i}.` },
      extra_info: { split: "test", index: i, reference: `The lantern glowed softly in window number ${i}.` },
    }),
  );
  writeFileSync(join(dir, "rows.jsonl"), `${rows.join("\n")}\n`);
});

after(() => server.close());

function runCanaries(extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ["bin/omni-thinker.js", "canaries", "--rewards", join(dir, "rewards.yaml")];
  args.push("--data", join(dir, "rows.jsonl"), ...extra);
  return new Promise((resolve) => {
    execFile(process.execPath, args, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test("a length-biased judge is beaten by the echoed question: flagged by default, not under a lenient threshold", async () => {
  server.behaviour = { verdict: (a, b) => (a.length >= b.length ? "A" : "B") };
  const { code, stdout } = await runCanaries(["--json"]);
  assert.equal(code, 1);
  const report = JSON.parse(stdout) as {
    total: number;
    winRate: number;
    hackable: boolean;
    failures: number;
  };
  assert.equal(report.total, 5 * 4);
  assert.equal(report.failures, 0);
  // "echo the question" is longer than the reference here, so it wins: 5 of 20 judgments
  assert.equal(report.winRate, 5 / 20);
  assert.equal(report.hackable, true);
  const lenient = await runCanaries(["--threshold", "0.3"]);
  assert.equal(lenient.code, 0);
  assert.match(lenient.stdout, /canary win rate: 25\.0% \(threshold 30\.0%\)/);
  assert.match(lenient.stdout, /echo_question +wins 100\.0%/);
});

test("a judge that always picks the canary is flagged as hackable with exit code 1", async () => {
  // both orders are judged: the canary wins only when it is picked in each position
  server.behaviour = {
    verdict: (a, b) => (a.includes("lantern glowed") ? "B" : b.includes("lantern glowed") ? "A" : "C"),
  };
  const { code, stdout } = await runCanaries();
  assert.equal(code, 1);
  assert.match(stdout, /canary win rate: 100\.0%/);
  assert.match(stdout, /HACKABLE/);
});

test("bad flags and rows without a reference are errors that name them", async () => {
  const bad = await runCanaries(["--limit", "-3"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--limit must be a non-negative integer, got -3/);
  const noRef = join(dir, "noref.jsonl");
  writeFileSync(
    noRef,
    `${JSON.stringify({ data_source: "writing", prompt: [{ role: "user", content: "x" }], ability: "writing", reward_model: { style: "model", ground_truth: { keywords: ["a"] } }, extra_info: { split: "test", index: 0 } })}\n`,
  );
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["bin/omni-thinker.js", "canaries", "--rewards", join(dir, "rewards.yaml"), "--data", noRef],
      (err, _out, stderr) => resolve({ code: err ? 1 : 0, stderr }),
    );
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /noref\.jsonl:1: no extra_info\.reference/);
});
