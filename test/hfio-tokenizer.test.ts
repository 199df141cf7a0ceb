import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { BYTE_EOS, ByteTokenizer, byteLevelSymbols } from "../src/models/byte-tokenizer.js";
import { ChatTemplateError } from "../src/models/chat-template.js";
import { loadTokenizer, TokenizerError } from "../src/models/tokenizer.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { buildTinyTokenizer, CHATML_TEMPLATE, writeTinyTokenizer } from "./helpers/tiny-tokenizer.js";

after(removeTempDirs);

const SAMPLES = {
  ascii: "hello world, the rest is here.",
  emoji: "héllo 😀👍🏽 – ünïcödé 漢字!",
  code: "def f(x):\n    return x == 1  # ok\n\tif a != b: print(f'{a}')\r\n",
};

test("a byte-level BPE tokenizer.json encodes with its merges and decodes ASCII, emoji and code exactly", () => {
  const { vocab } = buildTinyTokenizer();
  const tok = loadTokenizer(writeTinyTokenizer(tempDir()));
  assert.deepEqual(tok.encode("hello world"), [vocab.get("hello"), vocab.get("Ġworld")]);
  assert.deepEqual(tok.encode("the"), [vocab.get("t"), vocab.get("he")], "'Ġt he' only merges after a space");
  for (const [kind, text] of Object.entries(SAMPLES)) {
    const ids = tok.encode(text);
    assert.ok(
      ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize),
      kind,
    );
    assert.equal(tok.decode(ids), text, `${kind} round trip`);
  }
  const emojiIds = tok.encode("😀");
  assert.deepEqual(
    emojiIds,
    [0xf0, 0x9f, 0x98, 0x80].map((b) => vocab.get(byteLevelSymbols()[b]!)),
    "an unmerged emoji is its 4 bytes",
  );
});

test("special tokens: ids from tokenizer_config.json, single ids when encoded, droppable when decoded", () => {
  const { vocab } = buildTinyTokenizer();
  const tok = loadTokenizer(writeTinyTokenizer(tempDir()));
  assert.equal(tok.vocabSize, vocab.size);
  assert.equal(tok.bosTokenId, null, "Qwen-style: no BOS");
  assert.equal(tok.eosTokenId, vocab.get("<|im_end|>"));
  assert.equal(tok.padTokenId, vocab.get("<|endoftext|>"));
  assert.equal(tok.tokenToId("<|im_start|>"), vocab.get("<|im_start|>"));
  assert.equal(tok.tokenToId("Ġworld"), vocab.get("Ġworld"));
  assert.equal(tok.tokenToId("no-such-token"), undefined);
  const ids = tok.encode("<|im_start|>user\nhi<|im_end|>");
  assert.equal(ids[0], vocab.get("<|im_start|>"));
  assert.equal(ids.at(-1), vocab.get("<|im_end|>"));
  assert.equal(tok.decode(ids), "<|im_start|>user\nhi<|im_end|>");
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), "user\nhi");
  assert.equal(tok.decode([]), "");
  assert.throws(() => tok.decode([tok.vocabSize + 5]), /cannot decode token id \d+: not in the vocabulary/);
});

test("special tokens written as AddedToken objects in tokenizer_config.json resolve too", () => {
  const dir = writeTinyTokenizer(tempDir());
  const { tokenizerConfig, vocab } = buildTinyTokenizer();
  const eos = {
    __type: "AddedToken",
    content: "<|im_end|>",
    lstrip: false,
    rstrip: false,
    normalized: false,
    single_word: false,
  };
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({ ...tokenizerConfig, eos_token: eos }));
  assert.equal(loadTokenizer(dir).eosTokenId, vocab.get("<|im_end|>"));
});

test("a Qwen-style ChatML template renders system, user and assistant turns and the generation prompt", () => {
  const tok = loadTokenizer(writeTinyTokenizer(tempDir()));
  assert.equal(
    tok.applyChatTemplate([{ role: "user", content: "What is 2+2?" }], { addGenerationPrompt: true }),
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
  );
  const chat = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello!" },
  ];
  const text = tok.applyChatTemplate(chat, { addGenerationPrompt: false });
  assert.equal(
    text,
    "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n",
  );
  const ids = tok.encode(text, { addSpecialTokens: false });
  assert.equal(ids.filter((id) => id === tok.eosTokenId).length, 3, "each turn ends with one <|im_end|> id");
  assert.equal(tok.decode(ids), text);
});

test("chat templates also come from a list in tokenizer_config.json or from chat_template.jinja", () => {
  const listDir = writeTinyTokenizer(tempDir(), { chatTemplate: null });
  const { tokenizerConfig } = buildTinyTokenizer({ chatTemplate: null });
  writeFileSync(
    join(listDir, "tokenizer_config.json"),
    JSON.stringify({
      ...tokenizerConfig,
      chat_template: [
        { name: "tool_use", template: "TOOLS" },
        { name: "default", template: "{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}" },
      ],
    }),
  );
  assert.equal(
    loadTokenizer(listDir).applyChatTemplate([{ role: "user", content: "x" }], {
      addGenerationPrompt: false,
    }),
    "[user]x",
  );

  const jinjaDir = writeTinyTokenizer(tempDir(), { chatTemplate: null });
  writeFileSync(join(jinjaDir, "chat_template.jinja"), CHATML_TEMPLATE);
  assert.match(
    loadTokenizer(jinjaDir).applyChatTemplate([{ role: "user", content: "x" }], {
      addGenerationPrompt: true,
    }),
    /assistant\n$/,
  );
});

test("a missing, broken or failing chat template gives an error naming its file", () => {
  const none = writeTinyTokenizer(tempDir(), { chatTemplate: null });
  assert.throws(
    () =>
      loadTokenizer(none).applyChatTemplate([{ role: "user", content: "x" }], { addGenerationPrompt: true }),
    (err: unknown) =>
      err instanceof ChatTemplateError &&
      err.message.includes(join(none, "tokenizer_config.json")) &&
      /has no chat_template/.test(err.message),
  );
  const broken = writeTinyTokenizer(tempDir(), { chatTemplate: "{% for m in messages %}{{ m.content }" });
  assert.throws(
    () => loadTokenizer(broken),
    (err: unknown) =>
      err instanceof ChatTemplateError &&
      /cannot parse chat_template/.test(err.message) &&
      err.message.includes(broken),
  );
  const raising = writeTinyTokenizer(tempDir(), {
    chatTemplate: "{{ raise_exception('roles must alternate') }}",
  });
  assert.throws(
    () =>
      loadTokenizer(raising).applyChatTemplate([{ role: "user", content: "x" }], {
        addGenerationPrompt: true,
      }),
    /tokenizer_config\.json: chat_template failed to render: .*roles must alternate/,
  );
});

test("a missing or invalid tokenizer.json is reported with its path", () => {
  const dir = tempDir();
  assert.throws(
    () => loadTokenizer(dir),
    (err: unknown) => err instanceof TokenizerError && err.file === join(dir, "tokenizer.json"),
  );
  writeFileSync(join(dir, "tokenizer.json"), "{ not json");
  assert.throws(() => loadTokenizer(dir), /tokenizer\.json: cannot read JSON/);
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ normalizer: null }));
  assert.throws(() => loadTokenizer(dir), /tokenizer\.json: unsupported or invalid tokenizer: .*model/);
});

test("ByteTokenizer maps each UTF-8 byte to a token and special-token text to its id", () => {
  const tok = new ByteTokenizer();
  assert.equal(tok.vocabSize, 259);
  assert.deepEqual(tok.encode("hi"), [104, 105]);
  assert.deepEqual(tok.encode("é"), [0xc3, 0xa9]);
  assert.deepEqual(tok.encode(`a${BYTE_EOS}b`), [97, tok.eosTokenId, 98]);
  for (const text of Object.values(SAMPLES)) assert.equal(tok.decode(tok.encode(text)), text);
  assert.equal(tok.decode([104, 105, tok.eosTokenId, tok.padTokenId], { skipSpecialTokens: true }), "hi");
  assert.equal(tok.decode([0xf0, 0x9f, 65]), "\ufffdA", "a cut-off character decodes to U+FFFD");
  assert.throws(() => tok.decode([259]), /cannot decode token id 259/);
  assert.equal(tok.tokenToId("Ġ"), 32);
  assert.equal(tok.tokenToId(BYTE_EOS), 257);
  assert.equal(
    tok.applyChatTemplate(
      [
        { role: "user", content: "2+2?" },
        { role: "assistant", content: "4" },
      ],
      { addGenerationPrompt: false },
    ),
    "<|user|>\n2+2?<|eos|>\n<|assistant|>\n4<|eos|>\n",
  );
});

test("ByteTokenizer exports a HF tokenizer that gives the same ids, text and chat rendering", () => {
  const bytes = new ByteTokenizer();
  const dir = tempDir();
  bytes.writeHfFiles(dir);
  const hf = loadTokenizer(dir);
  assert.equal(hf.vocabSize, bytes.vocabSize);
  assert.deepEqual(
    [hf.bosTokenId, hf.eosTokenId, hf.padTokenId],
    [bytes.bosTokenId, bytes.eosTokenId, bytes.padTokenId],
  );
  for (const text of [...Object.values(SAMPLES), `x${BYTE_EOS}<|pad|>  \n\n y`]) {
    assert.deepEqual(hf.encode(text), bytes.encode(text), JSON.stringify(text));
    assert.equal(hf.decode(bytes.encode(text)), text);
  }
  const chat = [{ role: "user", content: "Write a haiku 🌸" }];
  assert.equal(
    hf.applyChatTemplate(chat, { addGenerationPrompt: true }),
    bytes.applyChatTemplate(chat, { addGenerationPrompt: true }),
  );
});
