import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";
import { generate } from "../src/models/sampler.js";
import { loadTokenizer } from "../src/models/tokenizer.js";
import { encodePrompt, type RolloutOptions, sampleRollouts } from "../src/rl/rollout.js";
import type { Row } from "../src/tasks/schema.js";
import { tempDir } from "./helpers/temp-dir.js";
import { toyRow } from "./helpers/tiny-policy.js";
import { writeTinyTokenizer } from "./helpers/tiny-tokenizer.js";

const dir = tempDir("rl-rollout-");
const tokenizer = loadTokenizer(writeTinyTokenizer(dir));
// a larger init std makes the distributions peaked enough that greedy argmaxes are not near-ties
const model = LlamaModel.create(
  makeConfig({
    vocab_size: tokenizer.vocabSize,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    max_position_embeddings: 128,
  }),
  { seed: 2, initStd: 0.2 },
);
const prompts = ["Say hello.", "Add two and three.", "Name a colour."].map((q, i) => ({
  task: "toy",
  row: toyRow("toy", i, q, "x") as unknown as Row,
  rowIndex: i,
}));
const opts = (greedyInGroup: boolean): RolloutOptions => ({
  groupSize: 4,
  maxNewTokens: 8,
  temperature: 1.5,
  topP: 1,
  topK: 0,
  stop: [],
  maxPromptTokens: 64,
  eosTokenIds: [],
  greedyInGroup,
});

test("rl.greedy_in_group: each group's first response is the greedy decode, the rest are sampled", () => {
  const rollouts = sampleRollouts(model, tokenizer, prompts, 10, opts(true), new Rng(3));
  assert.equal(rollouts.length, 12);
  const greedy = generate(
    model,
    prompts.map((p) => encodePrompt(tokenizer, p.row, 64).ids),
    { maxNewTokens: 8, temperature: 0 },
  );
  prompts.forEach((_, i) => {
    const group = rollouts.filter((r) => r.group === 10 + i);
    assert.deepEqual(
      group.map((r) => r.greedy),
      [true, false, false, false],
    );
    assert.deepEqual(group[0]!.responseIds, greedy[i]!.tokens, `group ${i}'s anchor`);
    assert.ok(
      group.slice(1).some((r) => r.responseIds.join() !== greedy[i]!.tokens.join()),
      `group ${i}: the other responses are sampled at temperature 1.5, not greedy`,
    );
  });
  // without the option every response is sampled
  const plain = sampleRollouts(model, tokenizer, prompts, 0, opts(false), new Rng(3));
  assert.ok(plain.every((r) => !r.greedy));
});
