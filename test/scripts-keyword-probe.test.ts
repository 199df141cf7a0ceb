import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./helpers/temp-dir.js";
import { writeTinyPolicy } from "./helpers/tiny-policy.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "keyword-probe.js");

test("keyword-probe fine-tunes a model on the keyword check and scores held-out answers by kind", () => {
  const dir = tempDir("keyword-probe-");
  const model = writeTinyPolicy(join(dir, "policy"), { maxPositions: 1024 }); // byte-level prompts are long
  const out = join(dir, "out");
  const args = [
    "--model",
    model,
    "--steps",
    "2",
    "--extra-prompts",
    "0",
    "--test-examples",
    "20",
    "--out",
    out,
  ];
  const run = spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const r = JSON.parse(readFileSync(join(out, "keyword_probe.json"), "utf8")) as {
    trainQuestions: number;
    heldOut: number;
    accuracy: number;
    byKind: Record<string, { n: number; right: number }>;
  };
  assert.equal(r.heldOut, 20);
  assert.ok(r.trainQuestions > 0 && r.trainQuestions % 2 === 0, "both labels drawn equally often");
  const kinds = Object.values(r.byKind);
  assert.equal(
    kinds.reduce((n, k) => n + k.n, 0),
    20,
  );
  assert.equal(r.accuracy, kinds.reduce((n, k) => n + k.right, 0) / 20);
  for (const key of Object.keys(r.byKind)) assert.match(key, /^[a-z_]+ \((Yes|No)\)$/);
  assert.ok(existsSync(join(out, "model.safetensors")), "the fine-tuned model is saved");
});

test("keyword-probe --per-word asks about one required word at a time", () => {
  const dir = tempDir("keyword-probe-word-");
  const model = writeTinyPolicy(join(dir, "policy"), { maxPositions: 1024 });
  const common = ["--model", model, "--steps", "1", "--extra-prompts", "0", "--test-examples", "10"];
  const probe = (out: string, extra: string[]) => {
    const run = spawnSync(process.execPath, [script, ...common, "--out", out, ...extra], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(readFileSync(join(out, "keyword_probe.json"), "utf8")) as {
      perWord: boolean;
      trainQuestions: number;
    };
  };
  const whole = probe(join(dir, "whole"), []);
  const perWord = probe(join(dir, "word"), ["--per-word"]);
  assert.equal(whole.perWord, false);
  assert.equal(perWord.perWord, true);
  // one question per required word instead of one per answer: more of them, still balanced
  assert.ok(
    perWord.trainQuestions > whole.trainQuestions,
    `${perWord.trainQuestions} <= ${whole.trainQuestions}`,
  );
  assert.equal(perWord.trainQuestions % 2, 0);
});

test("keyword-probe names a malformed flag and exits 2", () => {
  const run = spawnSync(process.execPath, [script, "--steps", "many"], { encoding: "utf8" });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--steps must be a non-negative integer, got "many"/);
  const half = spawnSync(process.execPath, [script, "--test-examples", "2.5"], { encoding: "utf8" });
  assert.equal(half.status, 2);
  assert.match(half.stderr, /--test-examples must be a non-negative integer, got "2.5"/);
});
