// The train-base defaults are the recipe of the committed models/omni-tiny, so that `npm run
// model:train-base` rebuilds what is shipped.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { type BaseRecipe, DEFAULT_BASE_RECIPE, parseRecipe } from "../src/embedded/train-base.js";

/** Options added after a run was logged, at the values that leave the recipe as it was. */
const OFF: Partial<BaseRecipe> = {
  sftGlossShare: 0,
  sftFactLines: false,
  sftLookupExamples: 0,
  lookupSteps: 0,
  lookupLetterWeight: 1,
  lookupAnchor: "question",
  keywordLookupShare: 0,
  hiddenSize: 256,
  intermediateSize: 704,
  layers: 6,
  heads: 4,
};

test("the default recipe is the one models/omni-tiny was trained with", () => {
  const log = JSON.parse(readFileSync("models/omni-tiny/training_log.json", "utf8")) as {
    recipe: Record<string, unknown>;
  };
  const defaults = DEFAULT_BASE_RECIPE as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(log.recipe)) {
    if (key !== "out") assert.deepEqual(defaults[key], value, `recipe.${key}`);
  }
  for (const [key, off] of Object.entries(OFF)) {
    if (!(key in log.recipe))
      assert.equal(defaults[key], off, `${key}: not in the logged recipe, so it must be off`);
  }
  assert.deepEqual(parseRecipe([]), DEFAULT_BASE_RECIPE);
});

test("command-line options override the defaults", () => {
  const r = parseRecipe([
    "--no-sft-fact-lines",
    "--sft-gloss-share",
    "0.25",
    "--lookup-steps",
    "4500",
    "--pretrain-lr",
    "1e-3",
    "--out",
    "/tmp/x",
  ]);
  assert.equal(r.sftFactLines, false);
  assert.equal(r.sftGlossShare, 0.25);
  assert.equal(r.lookupSteps, 4500);
  assert.equal(r.pretrainLr, 1e-3);
  assert.equal(r.sftLr, DEFAULT_BASE_RECIPE.sftLr);
  assert.throws(() => parseRecipe(["--sft-lr", "fast"]), /--sft-lr: "fast" is not a positive learning rate/);
  assert.throws(() => parseRecipe(["--pretrain-lr", "0"]), /--pretrain-lr: "0" is not a positive/);
  assert.equal(r.out, "/tmp/x");
  assert.equal(r.sftSteps, DEFAULT_BASE_RECIPE.sftSteps);
  assert.equal(parseRecipe(["--sft-fact-lines"]).sftFactLines, true);
  assert.equal(parseRecipe(["--keyword-lookup-share", "0.5"]).keywordLookupShare, 0.5);
  assert.throws(
    () => parseRecipe(["--keyword-lookup-share", "1.5"]),
    /--keyword-lookup-share: "1.5" is not a share in \[0, 1\]/,
  );
  assert.equal(parseRecipe(["--lookup-anchor", "reply"]).lookupAnchor, "reply");
  assert.throws(
    () => parseRecipe(["--lookup-anchor", "answer"]),
    /--lookup-anchor: "answer" is not one of question, reply/,
  );
});

test("the shape options build a wider model of the same architecture, and are checked", () => {
  const wide = parseRecipe(["--hidden-size", "384", "--intermediate-size", "1024"]);
  assert.deepEqual([wide.hiddenSize, wide.intermediateSize, wide.layers, wide.heads], [384, 1024, 6, 6]);
  assert.equal(parseRecipe(["--hidden-size", "384", "--heads", "4"]).heads, 4);
  assert.throws(
    () => parseRecipe(["--hidden-size", "384.5"]),
    /--hidden-size: "384.5" is not a whole number/,
  );
  assert.throws(() => parseRecipe(["--layers", "0"]), /--layers: "0" is not a whole number >= 1/);
  assert.throws(() => parseRecipe(["--hidden-size", "300", "--heads", "7"]), /not a multiple of --heads 7/);
  assert.throws(
    () => parseRecipe(["--hidden-size", "300"]),
    /not a multiple of 64 \(omni-tiny's head size\); give --heads/,
  );
  assert.equal(parseRecipe(["--hidden-size", "300", "--heads", "5"]).heads, 5);
  assert.throws(
    () => parseRecipe(["--init", "models/omni-tiny", "--layers", "8"]),
    /--layers sets the shape/,
  );
});
