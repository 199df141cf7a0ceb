import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { LocalChatModel } from "../src/models/chat-model.js";
import { type RunningModelServer, startModelServer } from "../src/models/openai-server.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";
import { writeTinyChatModel } from "./helpers/tiny-chat-model.js";

let model: LocalChatModel;
let server: RunningModelServer;
let client: OpenAI;

before(async () => {
  model = LocalChatModel.load(writeTinyChatModel(tempDir("serve-")));
  server = await startModelServer({ model, modelId: "tiny", port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "EMPTY", maxRetries: 0 });
});
after(async () => {
  await server.close();
  removeTempDirs();
});

const messages = [{ role: "user" as const, content: "Write a sentence that uses the word cloud." }];

test("/v1/chat/completions renders the chat template, samples n choices and counts usage", async () => {
  const r = await client.chat.completions.create({
    model: "tiny",
    messages,
    temperature: 1,
    max_tokens: 7,
    n: 3,
    seed: 5,
  });
  assert.equal(r.object, "chat.completion");
  assert.equal(r.choices.length, 3);
  const promptIds = model.encodePrompt(messages);
  assert.equal(r.usage?.prompt_tokens, promptIds.length);
  let completion = 0;
  for (const c of r.choices) {
    assert.equal(c.message.role, "assistant");
    assert.equal(typeof c.message.content, "string");
    assert.ok(c.finish_reason === "length" || c.finish_reason === "stop");
    // the random model rarely emits <|im_end|> within 7 tokens; a "length" finish has exactly 7
    completion += c.finish_reason === "length" ? 7 : 0;
  }
  assert.ok(r.usage!.completion_tokens >= completion && r.usage!.completion_tokens <= 21);
  assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
});

test("the same seed gives the same reply; temperature 0 is greedy; max_tokens bounds the reply", async () => {
  const ask = (seed: number, temperature = 1) =>
    client.chat.completions.create({ model: "tiny", messages, temperature, max_tokens: 12, seed });
  const [a, b, c] = await Promise.all([ask(11), ask(11), ask(12)]);
  assert.equal(a.choices[0]!.message.content, b.choices[0]!.message.content);
  assert.notEqual(a.choices[0]!.message.content, c.choices[0]!.message.content);
  const [g1, g2] = await Promise.all([ask(1, 0), ask(2, 0)]);
  assert.equal(g1.choices[0]!.message.content, g2.choices[0]!.message.content);
  assert.ok(a.usage!.completion_tokens <= 12);
});

test("concurrent requests are decoded together in one sampler call, each as if alone", async () => {
  const ask = (seed: number) =>
    client.chat.completions.create({
      model: "tiny",
      messages,
      temperature: 0.9,
      top_p: 0.9,
      max_tokens: 6,
      seed,
    });
  const alone = await ask(3);
  const before = { ...model.stats };
  const together = await Promise.all([1, 2, 3, 4, 5, 6].map(ask));
  const batches = model.stats.batches - before.batches;
  assert.ok(batches < 6, `6 concurrent requests took ${batches} sampler calls`);
  assert.equal(model.stats.rows - before.rows, 6);
  assert.equal(together[2]!.choices[0]!.message.content, alone.choices[0]!.message.content);
});

test("a request near the end of the context shares a batch with longer ones and ends at its own room", async () => {
  // The longest prompt whose room for new tokens is at most 3.
  let words = 1;
  const msg = (n: number) => [{ role: "user" as const, content: "cloud ".repeat(n) }];
  while (model.contextLength - model.encodePrompt(msg(words + 1)).length >= 1) words++;
  const room = model.contextLength - model.encodePrompt(msg(words)).length;
  assert.ok(room >= 1 && room <= 3, `room ${room}`);
  const before = { ...model.stats };
  const [long, short] = await Promise.all([
    model.complete({ messages: msg(words), temperature: 0, maxTokens: 50 }),
    model.complete({ messages, temperature: 0, maxTokens: 20 }),
  ]);
  assert.equal(model.stats.batches - before.batches, 1, "both requests in one sampler call");
  assert.ok(long.completionTokens <= room);
  const alone = await model.complete({ messages, temperature: 0, maxTokens: 20 });
  assert.equal(short.choices[0]!.text, alone.choices[0]!.text);
});

test("stop strings cut the reply, /v1/models lists the model, /health answers, bad requests get 400", async () => {
  const free = await client.chat.completions.create({
    model: "tiny",
    messages,
    temperature: 0,
    max_tokens: 30,
    seed: 0,
  });
  const text = free.choices[0]!.message.content ?? "";
  if (text.length >= 4) {
    const stop = text.slice(2, 4);
    const cut = await client.chat.completions.create({
      model: "tiny",
      messages,
      temperature: 0,
      max_tokens: 30,
      stop: [stop],
    });
    assert.equal(cut.choices[0]!.message.content, text.slice(0, text.indexOf(stop)));
    assert.equal(cut.choices[0]!.finish_reason, "stop");
  }
  const models = await client.models.list();
  assert.deepEqual(
    models.data.map((m) => m.id),
    ["tiny"],
  );
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, "ok");
  await assert.rejects(
    client.chat.completions.create({ model: "tiny", messages: [], max_tokens: 3 }),
    (e: unknown) => e instanceof OpenAI.BadRequestError,
  );
  const long = [{ role: "user" as const, content: "cloud ".repeat(1200) }];
  await assert.rejects(
    client.chat.completions.create({ model: "tiny", messages: long, max_tokens: 3 }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && /context/.test(e.message),
  );
});
