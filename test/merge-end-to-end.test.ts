import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as mergeCommand from "../src/cli/commands/merge.js";
import { loadMergePlan } from "../src/merge/config.js";
import { mergeModels } from "../src/merge/merge-models.js";
import { runMerge } from "../src/merge/run-merge.js";
import { slerp } from "../src/merge/slerp.js";
import { ties } from "../src/merge/ties.js";
import { readHfModelDir } from "../src/models/hf-model.js";
import { roundToBf16 } from "../src/models/safetensors.js";
import { runCommand } from "./helpers/run-command.js";
import { tempDir } from "./helpers/temp-dir.js";
import { writeTinyModel } from "./helpers/tiny-hf-model.js";

/** A workspace with models base (with tokenizer), math and writing, and a YAML file in it. */
function workspace(yaml: string) {
  const root = tempDir("merge-e2e-");
  mkdirSync(join(root, "experts"));
  const base = writeTinyModel(join(root, "base"), { seed: 1, tokenizer: true });
  const math = writeTinyModel(join(root, "experts", "math"), { seed: 2 });
  const writing = writeTinyModel(join(root, "experts", "writing"), { seed: 3 });
  const config = join(root, "merge.yaml");
  writeFileSync(config, yaml);
  return { root, config, base, math, writing };
}

test("a TIES merge from YAML writes a HF model whose every tensor is ties() of the inputs, with the tokenizer", () => {
  const w = workspace(`
merge_method: ties
base_model: base
models:
  - model: base
  - model: experts/math
    parameters: {weight: 1.0, density: 0.5}
  - model: experts/writing
    parameters: {weight: 0.5, density: 0.5}
`);
  const out = join(w.root, "merged");
  const summary = runMerge(loadMergePlan(w.config), out);
  assert.equal(summary.method, "ties");
  assert.equal(summary.tensors, w.base.size);
  assert.equal(
    summary.parameters,
    [...w.base.values()].reduce((n, t) => n + t.data.length, 0),
  );
  assert.deepEqual(summary.tokenizerFiles, ["tokenizer.json"]);
  assert.equal(
    readFileSync(join(out, "tokenizer.json"), "utf8"),
    readFileSync(join(w.root, "base", "tokenizer.json"), "utf8"),
  );
  const merged = readHfModelDir(out);
  assert.equal(merged.config.hidden_size, 8);
  assert.equal(merged.tensors.size, w.base.size);
  for (const [name, t] of w.base) {
    const expected = ties(t.data, [w.math.get(name)!.data, w.writing.get(name)!.data], [1, 0.5], 0.5);
    assert.deepEqual(merged.tensors.get(name)!.data, expected, name);
    assert.deepEqual(merged.tensors.get(name)!.shape, t.shape);
  }
});

test("mismatched shapes across models are an error naming the tensor and both models", () => {
  const w = workspace("merge_method: task_arithmetic\nbase_model: base\nmodels: [{model: odd}]\n");
  writeTinyModel(join(w.root, "odd"), { seed: 4, intermediateSize: 16 });
  assert.throws(
    () => runMerge(loadMergePlan(w.config), join(w.root, "out")),
    /tensor "model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[12, 8\] in base but \[16, 8\] in odd/,
  );
  assert.equal(existsSync(join(w.root, "out")), false);
  const missing = workspace("merge_method: linear\nmodels: [{model: base}, {model: nowhere}]\n");
  assert.throws(() => runMerge(loadMergePlan(missing.config), join(missing.root, "out")), /nowhere/);
});

test("`omni-thinker merge` runs a SLERP config and a seeded DARE-TIES config in bfloat16", async () => {
  const w = workspace(`
merge_method: slerp
base_model: base
models: [{model: base}, {model: experts/math}]
parameters: {t: 0.5}
`);
  const out = join(w.root, "slerp-out");
  const { stdout } = await runCommand(mergeCommand, ["merge", "--config", w.config, "--out", out]);
  assert.match(stdout, new RegExp(`merged ${w.base.size} tensors \\(\\d[\\d,]* parameters\\) with slerp`));
  assert.match(stdout, /tokenizer files copied: tokenizer\.json/);
  const merged = readHfModelDir(out);
  for (const [name, t] of w.base)
    assert.deepEqual(merged.tensors.get(name)!.data, slerp(t.data, w.math.get(name)!.data, 0.5));

  const dareConfig = join(w.root, "dare.yaml");
  writeFileSync(
    dareConfig,
    "merge_method: dare_ties\nbase_model: base\nmodels:\n  - {model: experts/math, parameters: {weight: 1, density: 0.3}}\n" +
      "  - {model: experts/writing, parameters: {weight: 1, density: 0.3}}\ndtype: bfloat16\nseed: 11\n",
  );
  const dareOut = join(w.root, "dare-out");
  await runCommand(mergeCommand, ["merge", "--config", dareConfig, "--out", dareOut, "--quiet"]);
  const dare = readHfModelDir(dareOut);
  assert.deepEqual(dare.dtypes, { BF16: w.base.size });
  // The same plan and seed, merged in this process, gives the same tensors (rounded to bf16).
  const plan = loadMergePlan(dareConfig);
  const expected = mergeModels(plan, { label: "base", tensors: w.base }, [
    { label: "math", tensors: w.math },
    { label: "writing", tensors: w.writing },
  ]);
  for (const [name, t] of expected) assert.deepEqual(dare.tensors.get(name)!.data, roundToBf16(t.data), name);
});
