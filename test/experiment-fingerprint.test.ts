// Cached runs and evaluations are keyed by contents, not paths: a retrained base model or a rebuilt
// dataset under the same path must not be reused.
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadExperimentConfig, resolveExperimentPaths } from "../src/experiment/config.js";
import { Workspace } from "../src/experiment/workspace.js";
import { microExperimentConfig, writeExperimentFixture } from "./helpers/experiment-fixture.js";

const silent = () => {};

test("a changed base model or data file invalidates cached evaluations; an unchanged one reuses them", async () => {
  const fx = writeExperimentFixture("fingerprint-");
  const cfg = microExperimentConfig(fx);
  const owner = join(fx.out, "base");
  const evalBase = async () => {
    const ws = new Workspace(cfg, silent);
    const scores = await ws.evaluateModel(cfg.base_model, owner, ["qa"], "base");
    await ws.close();
    return { ws, scores };
  };
  const first = await evalBase();
  assert.equal(first.ws.counters.taskEvalsComputed, 1);
  const again = await evalBase();
  assert.equal(again.ws.counters.taskEvalsComputed, 0, "same model and data: reused");
  assert.equal(again.ws.baseFingerprint, first.ws.baseFingerprint);

  // "retrain" the base under the same path: its config (part of the weights fingerprint) changes
  const configFile = join(fx.model, "config.json");
  const config = JSON.parse(readFileSync(configFile, "utf8"));
  writeFileSync(configFile, JSON.stringify({ ...config, _retrained: true }));
  const retrained = await evalBase();
  assert.notEqual(retrained.ws.baseFingerprint, first.ws.baseFingerprint);
  assert.equal(retrained.ws.counters.taskEvalsComputed, 1, "a changed model is evaluated again");

  // rebuild a data file under the same path
  appendFileSync(join(fx.data, "qa", "test.jsonl"), "\n");
  const rebuilt = await evalBase();
  assert.notEqual(rebuilt.ws.inputsFingerprint, retrained.ws.inputsFingerprint);
  assert.equal(rebuilt.ws.counters.taskEvalsComputed, 1, "changed data is evaluated again");
});
