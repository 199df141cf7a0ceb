import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { chatCompletionsUrl, createChatCompletion, OpenAiRequestError } from "../src/util/openai-chat.js";

let server: Server;
let base: string;
const seen: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string }[] = [];

/** Routes by the path before /chat/completions: /ok, /e404, /e429, /e503, /text, /nochoices, /hang. */
before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const route = req.url?.split("/")[1];
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (route === "ok") {
        const n = (JSON.parse(body) as { n?: number }).n ?? 1;
        json(200, {
          choices: Array.from({ length: n }, (_, i) => ({
            index: i,
            message: { role: "assistant", content: `reply ${i}` },
            finish_reason: "stop",
          })),
          usage: { prompt_tokens: 3, completion_tokens: 2 * n },
        });
      } else if (route === "e404") json(404, { error: { message: "model 'nope' not found" } });
      else if (route === "e429") json(429, { error: "slow down" });
      else if (route === "e503") res.writeHead(503).end("overloaded");
      else if (route === "text") res.writeHead(200).end("<html>not json</html>");
      else if (route === "nochoices") json(200, { object: "chat.completion" });
      // "hang" never answers: the caller must abort or time out
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const request = { model: "m", messages: [{ role: "user", content: "hi ✓" }], n: 2, temperature: 0 };

test("chatCompletionsUrl appends the route to a base URL with or without a trailing slash", () => {
  assert.equal(chatCompletionsUrl("http://h:1/v1").href, "http://h:1/v1/chat/completions");
  assert.equal(chatCompletionsUrl("http://h:1/v1/").href, "http://h:1/v1/chat/completions");
});

test("createChatCompletion POSTs the JSON request with the API key and returns the parsed reply", async () => {
  seen.length = 0;
  const res = await createChatCompletion(chatCompletionsUrl(`${base}/ok`), request, { apiKey: "sk-test" });
  assert.deepEqual(
    res.choices.map((c) => c.message?.content),
    ["reply 0", "reply 1"],
  );
  assert.equal(res.usage?.completion_tokens, 4);
  const got = seen[0]!;
  assert.equal(got.method, "POST");
  assert.equal(got.url, "/ok/chat/completions");
  assert.equal(got.headers.authorization, "Bearer sk-test");
  assert.equal(got.headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(got.body), request);
  // without a key no authorization header is sent
  await createChatCompletion(chatCompletionsUrl(`${base}/ok`), request);
  assert.equal(seen[1]!.headers.authorization, undefined);
});

test("HTTP errors carry the status, the server's message and whether a retry can help", async () => {
  const call = (route: string) => createChatCompletion(chatCompletionsUrl(`${base}/${route}`), request);
  await assert.rejects(call("e404"), (e: unknown) => {
    assert.ok(e instanceof OpenAiRequestError);
    assert.equal(e.status, 404);
    assert.equal(e.retryable, false);
    assert.equal(e.message, "HTTP 404: model 'nope' not found");
    return true;
  });
  await assert.rejects(call("e429"), { status: 429, retryable: true, message: "HTTP 429: slow down" });
  await assert.rejects(call("e503"), { status: 503, retryable: true, message: "HTTP 503: overloaded" });
  await assert.rejects(call("text"), { retryable: false, message: /^reply is not JSON: <html>/ });
  await assert.rejects(call("nochoices"), { retryable: false, message: "reply has no choices array" });
});

test("an abort rejects with an AbortError, before and during the request; a timeout is retryable", async () => {
  const url = chatCompletionsUrl(`${base}/hang`);
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(createChatCompletion(url, request, { signal: pre.signal }), { name: "AbortError" });
  const during = new AbortController();
  const pending = createChatCompletion(url, request, { signal: during.signal });
  setTimeout(() => during.abort(), 30);
  await assert.rejects(pending, { name: "AbortError" });
  await assert.rejects(createChatCompletion(url, request, { timeoutMs: 50 }), {
    name: "OpenAiRequestError",
    retryable: true,
    message: "timed out after 50 ms",
  });
});

test("a refused connection is a retryable error that names the socket failure", async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  await assert.rejects(createChatCompletion(chatCompletionsUrl(`http://127.0.0.1:${port}/v1`), request), {
    retryable: true,
    message: /^connection failed: .*ECONNREFUSED/,
  });
});
