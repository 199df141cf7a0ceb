import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../src/config/load.js";
import { loadMergePlan } from "../src/merge/config.js";
import { tempDir } from "./helpers/temp-dir.js";

function writeYaml(text: string): string {
  const file = join(tempDir("merge-cfg-"), "merge.yaml");
  writeFileSync(file, text);
  return file;
}

function rejects(text: string, pattern: RegExp): void {
  const file = writeYaml(text);
  assert.throws(
    () => loadMergePlan(file),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test("a mergekit TIES config resolves relative paths from the YAML's directory and fills mergekit's defaults", () => {
  const file = writeYaml(`
merge_method: ties
base_model: base
models:
  - model: base
  - model: experts/math
    parameters: {weight: 0.7, density: 0.5}
  - model: /abs/writing
    parameters: {weight: 0.3}
parameters:
  density: 0.8
dtype: bfloat16
`);
  const plan = loadMergePlan(file);
  const dir = join(file, "..");
  assert.equal(plan.method, "ties");
  assert.equal(plan.base!.path, join(dir, "base"));
  // the base model's own entry is dropped: its task vector is zero
  assert.deepEqual(
    plan.models.map((m) => [m.path, m.weight, m.density]),
    [
      [join(dir, "experts/math"), 0.7, 0.5],
      ["/abs/writing", 0.3, 0.8],
    ],
  );
  assert.equal(plan.normalize, true);
  assert.equal(plan.lambda, 1);
  assert.equal(plan.dtype, "BF16");
  assert.equal(plan.seed, 0);
});

test("normalize defaults follow mergekit per method", () => {
  const normalizeOf = (method: string) =>
    loadMergePlan(writeYaml(`merge_method: ${method}\nbase_model: b\nmodels: [{model: m}]\n`)).normalize;
  assert.equal(normalizeOf("linear"), true);
  assert.equal(normalizeOf("task_arithmetic"), false);
  assert.equal(normalizeOf("ties"), true);
  assert.equal(normalizeOf("dare_linear"), false);
  assert.equal(normalizeOf("dare_ties"), false);
  const explicit = loadMergePlan(
    writeYaml(
      "merge_method: dare_ties\nbase_model: b\nmodels: [{model: m}]\nparameters: {normalize: true, lambda: 0.5}\nseed: 4\n",
    ),
  );
  assert.equal(explicit.normalize, true);
  assert.equal(explicit.lambda, 0.5);
  assert.equal(explicit.seed, 4);
});

test("linear keeps every listed model, the base included; slerp takes the base and one other with t", () => {
  const lin = loadMergePlan(
    writeYaml("merge_method: linear\nbase_model: a\nmodels: [{model: a}, {model: b}]\n"),
  );
  assert.deepEqual(
    lin.models.map((m) => m.label),
    ["a", "b"],
  );
  const s = loadMergePlan(
    writeYaml("merge_method: slerp\nbase_model: a\nmodels: [{model: a}, {model: b}]\nparameters: {t: 0.3}\n"),
  );
  assert.equal(s.t, 0.3);
  assert.deepEqual(
    s.models.map((m) => m.label),
    ["b"],
  );
});

test("bad merge configs are rejected with the file and the field path", () => {
  rejects("merge_method: ties\nmodels: [{model: m}]\n", /base_model: ties needs a base_model/);
  rejects("merge_method: frankenmerge\nmodels: [{model: m}]\n", /merge_method/);
  rejects(
    "merge_method: ties\nbase_model: b\nmodels: [{model: m, parameters: {density: 1.5}}]\n",
    /models\[0\]\.parameters\.density/,
  );
  rejects(
    "merge_method: ties\nbase_model: b\nmodels: [{model: m, parameters: {weight: [0, 0.5, 1]}}]\n",
    /models\[0\]\.parameters\.weight: weight: per-layer gradients \(lists\) are not supported/,
  );
  rejects(
    "merge_method: slerp\nbase_model: a\nmodels: [{model: b}]\n",
    /parameters\.t: slerp needs parameters\.t/,
  );
  rejects(
    "merge_method: slerp\nbase_model: a\nmodels: [{model: b}, {model: c}]\nparameters: {t: 0.5}\n",
    /models: slerp interpolates two models/,
  );
  rejects(
    "merge_method: ties\nbase_model: b\nmodels: [{model: b}]\n",
    /at least one model other than the base_model/,
  );
  rejects("merge_method: linear\nmodels: []\n", /models/);
  rejects("merge_method: linear\nmodels: [{model: a}]\ndtype: float16\n", /dtype/);
  rejects("merge_method: linear\nmodels: [{model: a}]\nslices: []\n", /slices are not supported/);
  rejects("merge_method: linear\nmodels: [{model: a, parameters: {wieght: 1}}]\n", /wieght/);
  rejects("merge_method: linear\nmodels: [{model: a}\n", /line \d+/);
});
