import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  encodeChatExample,
  interleavedBatches,
  packedChatBatches,
  stagedBatches,
  streamBatches,
  trainPhase,
} from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { loadPretrained } from "../src/models/pretrained.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

after(removeTempDirs);

test("packed chat batches put loss on the reply tokens (and <|im_end|>) only", () => {
  const { tokenizer } = loadPretrained(writeTinyChatModel(tempDir("loop-")));
  const ex = encodeChatExample(tokenizer, [{ role: "user", content: "Write a sentence." }], "The cloud.");
  assert.equal(ex.reply.at(-1), tokenizer.tokenToId("<|im_end|>"));
  assert.equal(tokenizer.decode(ex.reply, { skipSpecialTokens: true }), "The cloud.");
  const T = ex.prompt.length + ex.reply.length + 3;
  const next = packedChatBatches([ex], 1, T, 0, new Rng(0));
  const { tokens, targets } = next();
  const withLoss = [...targets].map((t, i) => [t, i] as const).filter(([t]) => t >= 0);
  assert.equal(withLoss.length, ex.reply.length);
  // position i predicts token i+1: the first loss position is the prompt's last token
  assert.equal(withLoss[0]![1], ex.prompt.length - 1);
  assert.deepEqual(
    withLoss.map(([t]) => t),
    ex.reply,
  );
  assert.deepEqual([...tokens.slice(T - 3)], [0, 0, 0], "padding after the one example that fits");
});

test("reply weights reach the batch and weight the loss: a weighted mean of per-token log-probs", () => {
  const { model, tokenizer } = loadPretrained(writeTinyChatModel(tempDir("loop-")));
  const ex = encodeChatExample(tokenizer, [{ role: "user", content: "Pick one." }], "A wins. [[A]]");
  const T = ex.prompt.length + ex.reply.length;
  const unweighted = packedChatBatches([ex], 1, T, 0, new Rng(0))();
  assert.equal(unweighted.weights, undefined, "no weights unless an example carries them");
  const weighted = { ...ex, replyWeights: ex.reply.map((_, i) => (i === 0 ? 8 : 1)) };
  const batch = packedChatBatches([weighted], 1, T, 0, new Rng(0))();
  const first = ex.prompt.length - 1; // predicts reply[0]
  assert.equal(batch.weights![first], 8);
  assert.equal(batch.weights![first + 1], 1);
  assert.equal(batch.weights![0], 0, "prompt positions carry no weight");

  const { logprobs } = model.forward(batch.tokens, batch.targets, 1, T);
  const nll = [...batch.targets].flatMap((t, n) => (t >= 0 ? [[-logprobs[n]!, batch.weights![n]!]] : []));
  const expected = nll.reduce((a, [l, w]) => a + l! * w!, 0) / nll.reduce((a, [, w]) => a + w!, 0);
  model.zeroGrad();
  const loss = model.trainStepLoss(batch.tokens, batch.targets, 1, T, batch.weights);
  assert.ok(Math.abs(loss - expected) < 1e-5, `weighted loss ${loss} vs ${expected}`);
  const plain = nll.reduce((a, [l]) => a + l!, 0) / nll.length;
  assert.ok(Math.abs(loss - plain) > 1e-6, "the weights change the loss");
});

test("isolated packing: each packed example sees only itself, as it would alone", () => {
  const { model, tokenizer } = loadPretrained(writeTinyChatModel(tempDir("loop-")));
  const a = encodeChatExample(tokenizer, [{ role: "user", content: "Pick one." }], "A wins. [[A]]");
  const b = encodeChatExample(tokenizer, [{ role: "user", content: "Write a sentence." }], "The cloud.");
  const length = (ex: typeof a) => ex.prompt.length + ex.reply.length;
  // reply log-probs of the examples of a packed row, in row order
  const replyLogprobs = (examples: (typeof a)[], T: number, isolate: boolean) => {
    const batch = packedChatBatches(examples, 1, T, 0, new Rng(0), { isolate })();
    assert.equal(batch.layout !== undefined, isolate);
    const { logprobs } = model.forward(batch.tokens, batch.targets, 1, T, { layout: batch.layout });
    return { batch, lps: [...batch.targets].flatMap((t, n) => (t >= 0 ? [logprobs[n]!] : [])) };
  };
  const aAlone = replyLogprobs([a], length(a), false).lps;
  const bAlone = replyLogprobs([b], length(b), false).lps;
  // both in one row that holds exactly the two, in the order the seeded shuffle draws them
  const T = length(a) + length(b);
  const inRow = (isolate: boolean) => {
    const { batch, lps } = replyLogprobs([a, b], T, isolate);
    const aFirst = a.prompt.every((tok, i) => batch.tokens[i] === tok);
    return aFirst ? lps : [...lps.slice(b.reply.length), ...lps.slice(0, b.reply.length)];
  };
  const expected = [...aAlone, ...bAlone];
  const isolated = inRow(true);
  assert.equal(isolated.length, expected.length);
  for (const [j, lp] of expected.entries()) {
    assert.ok(Math.abs(isolated[j]! - lp) < 1e-4, `reply token ${j}: ${isolated[j]} vs ${lp}`);
  }
  // without isolation the second example attends to the first, and its log-probs change
  const shared = inRow(false);
  const gap = Math.max(...expected.map((lp, j) => Math.abs(shared[j]! - lp)));
  assert.ok(gap > 1e-4, `plain packing leaks context (max diff ${gap})`);
  // the isolated batch trains on the mean of the two examples' reply losses
  const batch = packedChatBatches([a, b], 1, T, 0, new Rng(0), { isolate: true })();
  model.zeroGrad();
  const loss = model.trainStepLoss(batch.tokens, batch.targets, 1, T, batch.weights, batch.layout);
  const want = -expected.reduce((x, y) => x + y, 0) / expected.length;
  assert.ok(Math.abs(loss - want) < 1e-4, `loss ${loss} vs ${want}`);
});

test("fill packing looks ahead for an example that fits, and drops or repeats none", () => {
  // 6 long examples (7 tokens) and 6 short ones (3 tokens), each with its own token id; rows of 10
  const examples = Array.from({ length: 12 }, (_, i) => {
    const n = i < 6 ? 7 : 3;
    return { prompt: Array(n - 1).fill(i + 1), reply: [i + 1] };
  });
  const pack = (fill: number) => {
    const next = packedChatBatches(examples, 1, 10, 0, new Rng(5), { fill });
    const counts = new Array(12).fill(0);
    let used = 0;
    const rows = 60;
    for (let r = 0; r < rows; r++) {
      const { tokens } = next();
      let prev = 0;
      for (const tok of tokens) {
        if (tok !== 0) used++;
        if (tok !== 0 && tok !== prev) counts[tok - 1]++; // a new example starts
        prev = tok;
      }
    }
    return { counts, fillRate: used / (rows * 10) };
  };
  const strict = pack(0);
  const filled = pack(8);
  assert.ok(filled.fillRate > strict.fillRate + 0.05, `fill ${filled.fillRate} vs strict ${strict.fillRate}`);
  for (const { counts } of [strict, filled]) {
    assert.ok(Math.min(...counts) >= 1, `every example packed: ${counts}`);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, `each about as often: ${counts}`);
  }
  assert.throws(
    () => packedChatBatches(examples, 1, 10, 0, new Rng(5), { fill: 4, groupSize: 2 }),
    /fill packs single examples/,
  );
});

test("the same seed gives the same loss curve", () => {
  const dir = writeTinyChatModel(tempDir("loop-"));
  const backend = loadBackend();
  const run = () => {
    const { model } = loadPretrained(dir, { backend });
    const stream = Int32Array.from({ length: 2000 }, (_, i) => (i % 12) * 5);
    return trainPhase(
      model,
      backend,
      streamBatches(stream, 2, 16, new Rng(3)),
      {
        name: "t",
        steps: 10,
        lr: 1e-2,
        minLr: 1e-3,
        warmupSteps: 2,
        B: 2,
        T: 16,
        weightDecay: 0.1,
        maxGradNorm: 1,
      },
      () => {},
    ).losses;
  };
  const a = run();
  const b = run();
  assert.deepEqual(a, b);
  assert.ok(a.at(-1)! < a[0]!, `loss fell: ${a.map((l) => l.toFixed(3)).join(" ")}`);
});

test("interleaved batches take the given share from the second source, spread evenly", () => {
  const source = (label: number) => () => ({ tokens: Int32Array.of(label), targets: Int32Array.of(-1) });
  const next = interleavedBatches(source(0), source(1), 1 / 3);
  const labels = Array.from({ length: 9 }, () => next().tokens[0]);
  assert.deepEqual(labels, [0, 0, 1, 0, 0, 1, 0, 0, 1]);
  const none = interleavedBatches(source(0), source(1), 0);
  assert.deepEqual(
    Array.from({ length: 4 }, () => none().tokens[0]),
    [0, 0, 0, 0],
  );
});

test("staged batches run each source for its steps, then stay on the last", () => {
  const source = (label: number) => () => ({ tokens: Int32Array.of(label), targets: Int32Array.of(-1) });
  const next = stagedBatches([
    { steps: 2, next: source(0) },
    { steps: 3, next: source(1) },
    { steps: 1, next: source(2) },
  ]);
  const labels = Array.from({ length: 8 }, () => next().tokens[0]);
  assert.deepEqual(labels, [0, 0, 1, 1, 1, 2, 2, 2]);
  assert.throws(() => stagedBatches([]), /no stages/);
});

test("grouped packing keeps each group together, in a shuffled order of groups", () => {
  // example i: prompt [10 + i], reply [30 + i]; one row of 12 tokens holds all six, in packing order
  const examples = Array.from({ length: 6 }, (_, i) => ({ prompt: [10 + i], reply: [30 + i] }));
  const packedOrder = (groupSize: number, seed: number) => {
    const { tokens } = packedChatBatches(examples, 1, 12, 0, new Rng(seed), { groupSize })();
    return [...tokens].filter((_, t) => t % 2 === 0).map((id) => id - 10);
  };
  const orders = [1, 2, 3, 4].map((seed) => packedOrder(2, seed));
  for (const order of orders) {
    assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4, 5], "every example once");
    for (let j = 0; j < 6; j += 2) {
      assert.equal(order[j]! % 2, 0, `group starts at an even example: ${order}`);
      assert.equal(order[j + 1], order[j]! + 1, `its partner follows: ${order}`);
    }
  }
  assert.ok(new Set(orders.map(String)).size > 1, "the groups' order is shuffled");
  assert.ok(
    [1, 2, 3, 4].some((seed) => packedOrder(1, seed).some((e, j, o) => j % 2 === 0 && o[j + 1] !== e + 1)),
    "ungrouped packing splits pairs",
  );
  assert.throws(() => packedChatBatches(examples, 1, 12, 0, new Rng(0), { groupSize: 4 }), /must divide/);
});
