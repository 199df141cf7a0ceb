// Judge endpoint settings from the environment: the API key from a variable named in config, and the
// model / base URL overrides.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createJudgeClient } from "../src/rewards/judge/client.js";
import {
  JudgeEndpointConfig,
  resolveApiKey,
  resolveBaseUrl,
  resolveModel,
} from "../src/rewards/judge/config.js";

test("model_env and base_url_env override the config when set and non-empty", () => {
  const cfg = JudgeEndpointConfig.parse({
    model: "judge",
    model_env: "MY_JUDGE_MODEL",
    base_url: "http://10.0.0.1:8001/v1",
    base_url_env: "MY_JUDGE_URL",
  });
  assert.equal(resolveModel(cfg, {}), "judge");
  assert.equal(resolveModel(cfg, { MY_JUDGE_MODEL: "" }), "judge");
  assert.equal(resolveModel(cfg, { MY_JUDGE_MODEL: "qwen-72b" }), "qwen-72b");
  assert.equal(resolveBaseUrl(cfg, {}), "http://10.0.0.1:8001/v1");
  assert.equal(resolveBaseUrl(cfg, { MY_JUDGE_URL: "http://judge:9000/v1" }), "http://judge:9000/v1");
});

test("the API key comes from the variable api_key_env names; a named but unset variable is an error", () => {
  const named = JudgeEndpointConfig.parse({ model: "m", api_key_env: "MY_JUDGE_KEY" });
  assert.equal(resolveApiKey(named, { MY_JUDGE_KEY: "sk-123" }), "sk-123");
  assert.throws(() => resolveApiKey(named, {}), /environment variable MY_JUDGE_KEY is not set/);
  assert.equal(resolveApiKey(JudgeEndpointConfig.parse({ model: "m" }), {}), "EMPTY");
});

test("the client sends the key, model, temperature and max_tokens from config to the server", async () => {
  const seen: { auth?: string; body?: Record<string, unknown> } = {};
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString("utf8");
    });
    req.on("end", () => {
      seen.auth = req.headers.authorization;
      seen.body = JSON.parse(text) as Record<string, unknown>;
      const reply = JSON.stringify({
        id: "x",
        object: "chat.completion",
        created: 0,
        model: "m",
        choices: [{ index: 0, message: { role: "assistant", content: "[[A]]" }, finish_reason: "stop" }],
      });
      res.writeHead(200, { "content-type": "application/json" }).end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const cfg = JudgeEndpointConfig.parse({
    model: "judge",
    model_env: "J_MODEL",
    base_url_env: "J_URL",
    api_key_env: "J_KEY",
    temperature: 0.3,
    max_tokens: 77,
  });
  const client = createJudgeClient(cfg, {
    env: { J_MODEL: "judge-from-env", J_URL: `http://127.0.0.1:${port}/v1`, J_KEY: "sk-test-42" },
  });
  try {
    const reply = await client.ask([{ role: "user", content: "Which is better?" }]);
    assert.deepEqual(reply, { ok: true, text: "[[A]]", cached: false });
    assert.equal(seen.auth, "Bearer sk-test-42");
    assert.equal(seen.body?.model, "judge-from-env");
    assert.equal(seen.body?.temperature, 0.3);
    assert.equal(seen.body?.max_tokens, 77);
  } finally {
    await client.close();
    await new Promise((r) => server.close(r));
  }
});
