import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import {
  applyMerges,
  BPE_SPECIAL_TOKENS,
  countWords,
  mergeRanks,
  preTokenize,
  trainBpe,
  writeTokenizerFiles,
} from "../src/models/bpe-train.js";
import { loadTokenizer } from "../src/models/tokenizer.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";

after(removeTempDirs);

const CORPUS = [
  "Ines buys 3 candles at $7.50 each. How many dollars does Ines spend?",
  "Cost of the candles: 3 × (7.5) = 22.5.\nThe answer is \\boxed{22.5}.",
  "Write a Python function `remove_chars` that does what its docstring says.",
  'def remove_chars(s):\n    return "".join(c for c in s if c not in "be")',
  'Which word is a synonym of "immediacy"?\nA. slowing\nB. coyness\nAnswer with the letter of the correct option.',
  "After that mistake he was under a cloud. The store sold off the surplus merchandise.",
  "water: binary compound that occurs at room temperature as a clear colorless odorless tasteless liquid",
];

function train(texts: string[], vocabSize = 400) {
  return trainBpe(countWords(texts), { vocabSize });
}

const ROUND_TRIP = {
  ascii: "hello world, the rest is here.",
  emoji: "héllo 😀👍🏽 – ünïcödé! 🧑‍🚀",
  cjk: "漢字とかなカナ、한국어 and 中文标点。",
  code: "def f(x):\n    return x == 1  # ok\n\tif a != b: print(f'{a}')\r\n",
  whitespace: "a  b   c\t\t\td\n\n\n   \n e     ",
  digits: "12345678901234567890 3.14159 -42 1e-9",
  specials_in_text: "<|im_start|>user\nhi<|im_end|>\n",
  control: "\u0000\u0001\u007f\u00a0\u2028 zero-width\u200bjoiner",
};

test("a trained tokenizer.json round-trips any UTF-8 text: emoji, CJK, code, whitespace runs", () => {
  const dir = tempDir("bpe-");
  writeTokenizerFiles(dir, train(CORPUS));
  const tok = loadTokenizer(dir);
  for (const [kind, text] of Object.entries(ROUND_TRIP)) {
    const ids = tok.encode(text, { addSpecialTokens: false });
    assert.ok(
      ids.every((id) => id >= 0 && id < tok.vocabSize),
      kind,
    );
    assert.equal(tok.decode(ids), text, `${kind} round trip`);
  }
  // random code points from every plane (lone surrogates excluded: they are not UTF-8)
  const rng = new Rng(7);
  for (let n = 0; n < 50; n++) {
    let s = "";
    for (let i = 0; i < 30; i++) {
      let cp = rng.int(0x110000);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
      s += String.fromCodePoint(cp);
    }
    assert.equal(tok.decode(tok.encode(s, { addSpecialTokens: false })), s);
  }
});

test("the HF runtime applies the trained merges exactly as the trainer's own BPE does", () => {
  const bpe = train(CORPUS);
  const dir = tempDir("bpe-");
  writeTokenizerFiles(dir, bpe);
  const tok = loadTokenizer(dir);
  const ranks = mergeRanks(bpe);
  for (const text of [
    ...CORPUS,
    "the candles cost 22.5 dollars",
    "remove_chars(s) synonyms",
    "unseen words zyx",
  ]) {
    const ours = preTokenize(text)
      .flatMap((w) => applyMerges(w, ranks))
      .map((t) => bpe.vocab.get(t)!);
    assert.deepEqual(tok.encode(text, { addSpecialTokens: false }), ours, text);
  }
  // hand-checked: frequent words became single tokens, digits stay one per token
  assert.deepEqual(
    tok
      .encode(" the 225", { addSpecialTokens: false })
      .map((id) => bpe.vocab.size > id && [...bpe.vocab].find(([, v]) => v === id)![0]),
    ["Ġthe", "Ġ", "2", "2", "5"],
  );
});

test("BPE training is deterministic and does not depend on the order of the corpus", () => {
  const a = train(CORPUS);
  const b = train(CORPUS);
  const c = train([...CORPUS].reverse());
  assert.deepEqual(a.merges, b.merges);
  assert.deepEqual(a.merges, c.merges);
  assert.deepEqual([...a.vocab], [...c.vocab]);
  assert.ok(a.merges.length > 50, `learned ${a.merges.length} merges`);
});

test("special tokens get ids 0..4, encode as one token each, and the ChatML template renders turns", () => {
  const dir = tempDir("bpe-");
  writeTokenizerFiles(dir, train(CORPUS));
  const tok = loadTokenizer(dir);
  BPE_SPECIAL_TOKENS.forEach((t, i) => {
    assert.equal(tok.tokenToId(t), i);
  });
  assert.equal(tok.eosTokenId, tok.tokenToId("<|im_end|>"));
  assert.equal(tok.bosTokenId, tok.tokenToId("<|bos|>"));
  assert.equal(tok.padTokenId, tok.tokenToId("<|pad|>"));
  const text = tok.applyChatTemplate([{ role: "user", content: "hi" }], { addGenerationPrompt: true });
  assert.equal(text, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  const ids = tok.encode(text, { addSpecialTokens: false });
  assert.equal(ids[0], tok.tokenToId("<|im_start|>"));
  assert.equal(ids.filter((id) => id === tok.tokenToId("<|im_end|>")).length, 1);
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), "user\nhi\nassistant\n");
});

test("the vocabulary has exactly vocabSize tokens when the corpus allows that many merges", () => {
  const bpe = train(CORPUS, 300);
  assert.equal(bpe.vocab.size, 300);
  assert.equal(bpe.merges.length, 300 - 256 - BPE_SPECIAL_TOKENS.length);
});
