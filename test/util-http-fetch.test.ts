import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { httpFetch } from "../src/util/http-fetch.js";

let server: Server;
let base: string;
const seen: { method?: string; headers: IncomingMessage["headers"]; body: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === "/empty") {
        res.writeHead(204).end();
      } else if (req.url === "/hang") {
        // never answers: the caller must abort
      } else {
        res.writeHead(req.url === "/missing" ? 404 : 200, {
          "content-type": "application/json",
          "x-two": ["a", "b"],
        });
        res.end(JSON.stringify({ echo: body, path: req.url }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test("httpFetch sends method, headers and body, and returns status, headers and the whole body", async () => {
  const res = await httpFetch(`${base}/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer k" },
    body: '{"q":1}',
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(res.headers.get("x-two"), "a, b");
  assert.deepEqual(await res.json(), { echo: '{"q":1}', path: "/v1/chat" });
  const last = seen.at(-1)!;
  assert.equal(last.method, "POST");
  assert.equal(last.headers.authorization, "Bearer k");
});

test("httpFetch passes error statuses through and gives 204 an empty body", async () => {
  const missing = await httpFetch(`${base}/missing`);
  assert.equal(missing.status, 404);
  assert.equal(missing.ok, false);
  const empty = await httpFetch(`${base}/empty`, { method: "DELETE" });
  assert.equal(empty.status, 204);
  assert.equal(await empty.text(), "");
});

test("an aborted httpFetch rejects with an AbortError, before and during the request", async () => {
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(httpFetch(`${base}/v1`, { signal: pre.signal }), { name: "AbortError" });
  const during = new AbortController();
  const pending = httpFetch(`${base}/hang`, { method: "POST", body: "x", signal: during.signal });
  setTimeout(() => during.abort(), 50);
  await assert.rejects(pending, { name: "AbortError" });
});

test("a refused connection rejects with the socket error", async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await assert.rejects(httpFetch(`http://127.0.0.1:${port}/`), { code: "ECONNREFUSED" });
});
