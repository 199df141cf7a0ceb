import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type DemoSample, demoPrompts, demoSampling } from "../src/demo/demo.js";
import { glossLine } from "../src/demo/wordnet-corpus.js";
import { readHfModelDir } from "../src/models/hf-model.js";
import { LlamaModel } from "../src/models/llama.js";
import { generate } from "../src/models/sampler.js";
import { loadTokenizer } from "../src/models/tokenizer.js";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("a WordNet data line becomes 'lemma: gloss' and the license header is skipped", () => {
  assert.equal(
    glossLine(
      "00001930 03 n 01 physical_entity 0 007 @ 00001740 n 0000 | an entity that has physical existence  ",
    ),
    "physical entity: an entity that has physical existence",
  );
  assert.equal(glossLine('00003 00 a 01 fat(a) 0 000 | thick; "a fat book"'), 'fat: thick; "a fat book"');
  assert.equal(glossLine("  1 This software and database is being provided"), null);
  assert.equal(glossLine("00001740 03 n 01 entity 0 003 no gloss here"), null);
});

test("the demo trains for 3 seconds with a falling loss, and its saved model reloads to identical samples", () => {
  const dir = tempDir("omni-demo-");
  try {
    const out = join(dir, "model");
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, "bin", "omni-thinker.js"),
        "demo",
        "--seconds",
        "3",
        "--size",
        "tiny",
        "--out",
        out,
        "--seed",
        "5",
        "--json",
      ],
      { encoding: "utf8", env: { ...process.env, OMNI_BACKEND: undefined } },
    );
    assert.equal(run.status, 0, `demo failed:\n${run.stderr}\n${run.stdout}`);
    assert.match(run.stderr, /train .* step \d+ loss \d/);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as {
      steps: number;
      firstLoss: number;
      lastLoss: number;
      identical: boolean;
      samples: DemoSample[];
      reloadedSamples: DemoSample[];
    };
    // a time budget, not a step count: a loaded machine (CI next to other work) manages fewer steps
    assert.ok(summary.steps >= 6, `only ${summary.steps} steps`);
    assert.ok(summary.lastLoss < summary.firstLoss - 0.3, `loss ${summary.firstLoss} -> ${summary.lastLoss}`);
    assert.equal(summary.identical, true);
    assert.deepEqual(summary.reloadedSamples, summary.samples);
    for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]) {
      assert.ok(existsSync(join(out, f)), `${f} saved`);
    }

    // independently: load the directory here and sample with the demo's settings and seed
    const loaded = readHfModelDir(out);
    const tokenizer = loadTokenizer(out);
    const model = LlamaModel.fromTensors(loaded.config, loaded.tensors);
    const again = generate(model, demoPrompts(tokenizer), demoSampling(tokenizer, 5));
    assert.deepEqual(
      again.map((g) => g.tokens),
      summary.samples.map((s) => s.tokens),
    );
    assert.ok(summary.samples.every((s) => s.tokens.every((t) => t < tokenizer.vocabSize)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
