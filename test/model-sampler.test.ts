import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";
import { generate } from "../src/models/sampler.js";

// GQA + q/k/v bias (Qwen2), untied head; a larger init std makes the distributions peaked enough
// that greedy argmaxes are not near-ties.
const config = makeConfig({
  architectures: ["Qwen2ForCausalLM"],
  model_type: "qwen2",
  vocab_size: 61,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  rope_theta: 500,
});
const model = LlamaModel.create(config, { seed: 3, initStd: 0.2 });
const V = config.vocab_size;

// prompts of different lengths in one batch
const prompts = [[1, 2, 3, 4, 5, 6, 7], [8], [9, 10, 11], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]];
const letters = (ids: number[]) => ids.map((i) => String.fromCharCode(97 + (i % 26))).join("");

/** Greedy decoding without a cache: the full logits of the whole sequence are recomputed every step. */
function greedyByRecompute(prompt: number[], steps: number): number[] {
  const seq = [...prompt];
  for (let s = 0; s < steps; s++) {
    const logits = model.logits(Int32Array.from(seq), 1, seq.length);
    const last = logits.subarray((seq.length - 1) * V, seq.length * V);
    let best = 0;
    for (let i = 1; i < V; i++) if (last[i]! > last[best]!) best = i;
    seq.push(best);
  }
  return seq.slice(prompt.length);
}

/** log p(completion[i] | prompt + completion[:i]) for every i, from one full forward pass. */
function logprobsByForward(prompt: number[], completion: number[]): number[] {
  const seq = [...prompt, ...completion];
  const T = seq.length - 1;
  const { logprobs } = model.forward(Int32Array.from(seq.slice(0, T)), Int32Array.from(seq.slice(1)), 1, T);
  return Array.from(logprobs.subarray(prompt.length - 1));
}

test("each sampled token's log-prob equals the one a full forward pass over prompt + completion gives", () => {
  const gens = generate(model, prompts, {
    maxNewTokens: 12,
    temperature: 0.8,
    topK: 20,
    topP: 0.95,
    seed: 11,
  });
  assert.equal(gens.length, prompts.length);
  gens.forEach((g, row) => {
    assert.equal(g.tokens.length, 12);
    assert.equal(g.finishReason, "length");
    const expected = logprobsByForward(prompts[row]!, g.tokens);
    assert.equal(expected.length, g.tokens.length);
    g.logprobs.forEach((lp, i) => {
      assert.ok(
        lp < 0 && Math.abs(lp - expected[i]!) < 1e-4,
        `row ${row} token ${i}: ${lp} vs ${expected[i]}`,
      );
    });
  });
});

test("the temperature log-prob is log_softmax(logits / T) of the sampled token", () => {
  const [g] = generate(model, [prompts[0]!], { maxNewTokens: 4, temperature: 0.5, seed: 2 });
  const seq = [...prompts[0]!, ...g!.tokens];
  const logits = model.logits(Int32Array.from(seq), 1, seq.length);
  g!.tokens.forEach((tok, i) => {
    const row = logits.subarray((prompts[0]!.length - 1 + i) * V, (prompts[0]!.length + i) * V);
    const scaled = Array.from(row, (z) => z / 0.5);
    const max = Math.max(...scaled);
    const lse = max + Math.log(scaled.reduce((s, z) => s + Math.exp(z - max), 0));
    assert.ok(Math.abs(g!.logprobsAtTemperature[i]! - (scaled[tok]! - lse)) < 1e-4);
  });
});

test("greedy decoding with the KV cache equals greedy decoding that recomputes all logits each step", () => {
  const gens = generate(model, prompts, { maxNewTokens: 10, temperature: 0 });
  gens.forEach((g, row) => {
    assert.deepEqual(g.tokens, greedyByRecompute(prompts[row]!, 10), `row ${row}`);
    assert.deepEqual(g.logprobsAtTemperature, g.logprobs);
  });
});

test("greedyRows decode those rows greedily inside a sampled batch, with temperature-1 log-probs", () => {
  const greedy = generate(model, prompts, { maxNewTokens: 10, temperature: 0 });
  const rows = [true, false, true, false];
  const mixed = generate(model, prompts, { maxNewTokens: 10, temperature: 1.5, greedyRows: rows, seed: 4 });
  const sampled = generate(model, prompts, { maxNewTokens: 10, temperature: 1.5, seed: 4 });
  mixed.forEach((g, row) => {
    if (rows[row]) {
      assert.deepEqual(g.tokens, greedy[row]!.tokens, `row ${row}`);
      assert.deepEqual(g.logprobsAtTemperature, g.logprobs);
      const expected = logprobsByForward(prompts[row]!, g.tokens);
      g.logprobs.forEach((lp, i) => {
        assert.ok(Math.abs(lp - expected[i]!) < 1e-4, `row ${row} token ${i}`);
      });
    } else {
      // the sampled rows draw from their own streams, untouched by the greedy ones
      assert.deepEqual(g.tokens, sampled[row]!.tokens, `row ${row}`);
    }
  });
  assert.notDeepEqual(
    sampled.filter((_, r) => rows[r]).map((g) => g.tokens),
    greedy.filter((_, r) => rows[r]).map((g) => g.tokens),
    "at temperature 1.5 the sampled rows would differ from greedy (else the test shows nothing)",
  );
  assert.throws(
    () => generate(model, prompts, { maxNewTokens: 2, greedyRows: [true] }),
    /greedyRows has 1 entries for 4 prompts/,
  );
});

test("top-k = 1 and a tiny top-p both sample exactly the greedy tokens", () => {
  const greedy = generate(model, prompts, { maxNewTokens: 8, temperature: 0 }).map((g) => g.tokens);
  const topK1 = generate(model, prompts, { maxNewTokens: 8, temperature: 1.5, topK: 1, seed: 5 });
  const topPTiny = generate(model, prompts, { maxNewTokens: 8, temperature: 1, topP: 1e-9, seed: 5 });
  assert.deepEqual(
    topK1.map((g) => g.tokens),
    greedy,
  );
  assert.deepEqual(
    topPTiny.map((g) => g.tokens),
    greedy,
  );
});

test("top-k = 3 only ever samples one of the 3 most likely tokens", () => {
  const gens = generate(model, prompts, { maxNewTokens: 10, temperature: 2, topK: 3, seed: 9 });
  gens.forEach((g, row) => {
    const seq = [...prompts[row]!, ...g.tokens];
    const logits = model.logits(Int32Array.from(seq), 1, seq.length);
    g.tokens.forEach((tok, i) => {
      const at = logits.subarray((prompts[row]!.length - 1 + i) * V, (prompts[row]!.length + i) * V);
      const rank = Array.from(at).filter((z) => z > at[tok]!).length;
      assert.ok(rank < 3, `row ${row} token ${i} has rank ${rank}`);
    });
  });
});

test("sampleVocabSize keeps sampling below the limit while log-probs stay those of the full distribution", () => {
  const gens = generate(model, prompts, { maxNewTokens: 10, temperature: 1.5, seed: 4, sampleVocabSize: 5 });
  gens.forEach((g, row) => {
    assert.ok(
      g.tokens.every((t) => t < 5),
      `row ${row}: ${g.tokens}`,
    );
    const expected = logprobsByForward(prompts[row]!, g.tokens);
    g.logprobs.forEach((lp, i) => {
      assert.ok(Math.abs(lp - expected[i]!) < 1e-4);
    });
  });
  const greedy = generate(model, prompts, { maxNewTokens: 10, temperature: 0, sampleVocabSize: 5 });
  assert.ok(greedy.every((g) => g.tokens.every((t) => t < 5)));
});

test("the same seed gives the same tokens and a different seed gives different ones", () => {
  const opts = { maxNewTokens: 16, temperature: 1 };
  const a = generate(model, prompts, { ...opts, seed: 42 }).map((g) => g.tokens);
  const b = generate(model, prompts, { ...opts, seed: 42 }).map((g) => g.tokens);
  const c = generate(model, prompts, { ...opts, seed: 43 }).map((g) => g.tokens);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("an EOS token ends its row with finish reason eos while other rows run to the length limit", () => {
  const greedy = generate(model, prompts, { maxNewTokens: 6, temperature: 0 });
  const eos = greedy[1]!.tokens[2]!; // row 1 emits this as its third token
  const gens = generate(model, prompts, { maxNewTokens: 6, temperature: 0, eosTokenIds: [eos] });
  const row1 = gens[1]!;
  assert.equal(row1.finishReason, "eos");
  assert.deepEqual(row1.tokens, greedy[1]!.tokens.slice(0, row1.tokens.length));
  assert.equal(row1.tokens.at(-1), eos);
  assert.ok(row1.tokens.length <= 3);
  gens.forEach((g, row) => {
    if (!g.tokens.includes(eos)) {
      assert.equal(g.finishReason, "length", `row ${row}`);
      assert.equal(g.tokens.length, 6);
    }
  });
});

test("a stop string ends its row with finish reason stop and the text is cut before it", () => {
  const greedy = generate(model, prompts, { maxNewTokens: 8, temperature: 0, decode: letters });
  const full = greedy[0]!.text!;
  assert.equal(full, letters(greedy[0]!.tokens));
  const stop = full.slice(3, 5); // completed by the 5th token at the latest
  const gens = generate(model, prompts, { maxNewTokens: 8, temperature: 0, decode: letters, stop: [stop] });
  const row0 = gens[0]!;
  assert.equal(row0.finishReason, "stop");
  assert.ok(row0.tokens.length <= 5);
  assert.ok(letters(row0.tokens).includes(stop));
  assert.equal(row0.text, full.slice(0, full.indexOf(stop)));
  assert.ok(!row0.text!.includes(stop));
});

test("bad sampling options and empty prompts are rejected with a clear message", () => {
  assert.throws(() => generate(model, [[]], { maxNewTokens: 2 }), /prompt 0 is empty/);
  assert.throws(() => generate(model, prompts, { maxNewTokens: 0 }), /maxNewTokens/);
  assert.throws(() => generate(model, prompts, { maxNewTokens: 2, topP: 0 }), /topP/);
  assert.throws(() => generate(model, prompts, { maxNewTokens: 2, stop: ["x"] }), /decode/);
  assert.throws(() => generate(model, [[V + 5]], { maxNewTokens: 2 }), /token id/);
  assert.throws(() => generate(model, [prompts[0]!], { maxNewTokens: 60 }), /max_position_embeddings/);
});

test("repeated prompts are prefilled once and sample exactly as if each were alone", () => {
  const model = LlamaModel.create(config, { seed: 4 });
  const a = [1, 5, 9, 2, 7, 3, 8, 8, 1, 4];
  const b = [6, 2, 2];
  const prompts = [a, a, b, [...a], b, a];
  const opts = { maxNewTokens: 6, temperature: 1 };
  const streams = () => prompts.map((_, i) => new Rng(100 + i));
  const together = generate(model, prompts, { ...opts, rowRngs: streams() });
  const alone = prompts.map((p, i) => generate(model, [p], { ...opts, rowRngs: [streams()[i]!] })[0]!);
  together.forEach((g, i) => {
    assert.deepEqual(g.tokens, alone[i]!.tokens, `row ${i}`);
    g.logprobs.forEach((lp, k) => {
      assert.ok(Math.abs(lp - alone[i]!.logprobs[k]!) < 1e-4);
    });
  });
  // the repeats of a drew different samples (own streams), not copies of the first
  assert.ok(
    together.some((g, i) => i > 0 && prompts[i] === a && g.tokens.join() !== together[0]!.tokens.join()),
  );
});

test("rowMaxNewTokens ends each row at its own budget; the other rows are as if alone", () => {
  const full = generate(model, prompts, { maxNewTokens: 9, temperature: 0 });
  const budgets = prompts.map((_, i) => (i === 0 ? 2 : 9));
  const rows = generate(model, prompts, { maxNewTokens: 9, rowMaxNewTokens: budgets, temperature: 0 });
  assert.deepEqual(rows[0]!.tokens, full[0]!.tokens.slice(0, 2));
  if (full[0]!.tokens.length > 2) assert.equal(rows[0]!.finishReason, "length");
  for (let i = 1; i < prompts.length; i++) assert.deepEqual(rows[i]!.tokens, full[i]!.tokens);
  assert.throws(
    () => generate(model, prompts, { maxNewTokens: 4, rowMaxNewTokens: prompts.map(() => 5) }),
    /rowMaxNewTokens\[0\] must be an integer in \[1, maxNewTokens\]/,
  );
  assert.throws(() => generate(model, prompts, { maxNewTokens: 4, rowMaxNewTokens: [1] }), /1 entries for/);
});
