// scripts/qa-knowledge-probe.ts: the option's log-prob is the sum over its tokens of the model's own
// log-softmax, the fact-line prefixes are those of qaFactLines, and the tallies count every row once.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { continuationLogProb, factForm, knowledgeProbe } from "../scripts/qa-knowledge-probe.js";
import { loadPretrained } from "../src/models/pretrained.js";
import { readRows } from "../src/tasks/io.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

after(removeTempDirs);

const rows = await readRows("datasets/qa/test.jsonl");
const firstOf = (qtype: string) => rows.find((r) => r.extra_info.qtype === qtype)!;

test("an option's log-prob is the sum of the model's log-softmax over its tokens after the prefix", () => {
  const { model, tokenizer } = loadPretrained(writeTinyChatModel(tempDir("probe-")));
  const prefix = "The quick brown";
  const continuation = " fox jumps.";
  const head = tokenizer.encode(prefix, { addSpecialTokens: false });
  const all = tokenizer.encode(prefix + continuation, { addSpecialTokens: false });
  const V = model.config.vocab_size;
  const logits = model.logits(Int32Array.from(all), 1, all.length);
  let want = 0;
  for (let i = head.length - 1; i < all.length - 1; i++) {
    const row = logits.subarray(i * V, (i + 1) * V);
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    want += row[all[i + 1]!]! - logZ;
  }
  const got = continuationLogProb(model, tokenizer, prefix, continuation);
  assert.ok(Math.abs(got - want) < 1e-3 * Math.max(1, Math.abs(want)), `${got} vs ${want}`);
  assert.throws(() => continuationLogProb(model, tokenizer, prefix, ""), /no tokens to score/);
});

test("the fact-line form of each question type", () => {
  assert.deepEqual(factForm(firstOf("word_for_definition")), {
    prefix: "keep from happening or arising; make impossible =",
    suffix: "\n",
  });
  assert.deepEqual(factForm(firstOf("hypernym")), {
    prefix: "An incline bench press is a kind of",
    suffix: ".",
  });
  assert.deepEqual(factForm(firstOf("synonym")), { prefix: "sham,", suffix: ":" });
  assert.deepEqual(factForm(firstOf("definition_for_word")), { prefix: "querulous:", suffix: "\n" });
  const odd = { ...rows[0]!, extra_info: { ...rows[0]!.extra_info, qtype: "riddle" } };
  assert.throws(() => factForm(odd), /unknown qtype "riddle"/);
  const synonym = firstOf("synonym");
  const unquoted = {
    ...synonym,
    prompt: [{ role: "user" as const, content: "Which word is a synonym of sham?\nA. fake" }],
  };
  assert.throws(
    () => factForm(unquoted),
    /no quoted word or definition in "Which word is a synonym of sham\?"/,
  );
});

test("the probe counts every row once under its type, with the options' chance", () => {
  const { model, tokenizer } = loadPretrained(writeTinyChatModel(tempDir("probe-")));
  const some = rows.slice(0, 12);
  const byType = knowledgeProbe(model, tokenizer, some);
  let n = 0;
  for (const [qtype, t] of byType) {
    const mine = some.filter((r) => r.extra_info.qtype === qtype);
    assert.equal(t.n, mine.length, qtype);
    const chance = mine.reduce((s, r) => s + 1 / (r.extra_info.options as string[]).length, 0);
    assert.ok(Math.abs(t.chance - chance) < 1e-9);
    assert.ok(Number.isInteger(t.right) && t.right >= 0 && t.right <= t.n);
    assert.ok(Number.isInteger(t.control) && t.control >= 0 && t.control <= t.n);
    n += t.n;
  }
  assert.equal(n, 12);
});
