// An OpenAI-compatible HTTP server for a local model (`omni-thinker serve model`):
//   POST /v1/chat/completions  messages rendered by the model's chat template; temperature, top_p,
//                              max_tokens (or max_completion_tokens), stop, seed, n; usage counts.
//   GET  /v1/models            the one model served
//   GET  /health               {"status":"ok"}
// Concurrent requests are batched into one sampler call by LocalChatModel. No streaming.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { ChatRequestError, type LocalChatModel } from "./chat-model.js";

export const ChatCompletionRequest = z.looseObject({
  model: z.string().optional(),
  messages: z.array(z.looseObject({ role: z.string().min(1), content: z.string() })).min(1),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)])
    .nullable()
    .optional(),
  seed: z.number().int().nullable().optional(),
  n: z.number().int().min(1).max(32).nullable().optional(),
  stream: z.boolean().nullable().optional(),
});

export interface ModelServerOptions {
  model: LocalChatModel;
  /** The id reported by /v1/models and in replies (default "omni-tiny"). */
  modelId?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
}

export interface RunningModelServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `invalid JSON: ${(err as Error).message}`);
  }
}

export async function startModelServer(opts: ModelServerOptions): Promise<RunningModelServer> {
  const modelId = opts.modelId ?? "omni-tiny";
  const limit = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const created = Math.floor(Date.now() / 1000);
  let nextId = 0;

  async function chatCompletions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = ChatCompletionRequest.safeParse(await readBody(req, limit));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpError(400, `${issue.path.join(".") || "(body)"}: ${issue.message}`);
    }
    const body = parsed.data;
    if (body.stream) throw new HttpError(400, "stream: streaming is not supported");
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) abort.abort(new Error("client closed the connection"));
    });
    const stop = body.stop == null ? undefined : typeof body.stop === "string" ? [body.stop] : body.stop;
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    let result: Awaited<ReturnType<LocalChatModel["complete"]>>;
    try {
      result = await opts.model.complete({
        messages: body.messages.map((m) => ({ role: m.role, content: m.content })),
        temperature: body.temperature ?? 1,
        topP: body.top_p ?? 1,
        ...(maxTokens !== undefined ? { maxTokens } : {}),
        ...(stop ? { stop } : {}),
        seed: body.seed ?? 0,
        n: body.n ?? 1,
        signal: abort.signal,
      });
    } catch (err) {
      if (err instanceof ChatRequestError) throw new HttpError(400, err.message);
      throw err;
    }
    sendJson(res, 200, {
      id: `chatcmpl-${++nextId}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? modelId,
      choices: result.choices.map((c, index) => ({
        index,
        message: { role: "assistant", content: c.text },
        logprobs: null,
        finish_reason: c.finishReason,
      })),
      usage: {
        prompt_tokens: result.promptTokens,
        completion_tokens: result.completionTokens,
        total_tokens: result.promptTokens + result.completionTokens,
      },
    });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const handle = async () => {
      if (req.method === "GET" && path === "/health")
        return sendJson(res, 200, { status: "ok", model: modelId });
      if (req.method === "GET" && path === "/v1/models") {
        return sendJson(res, 200, {
          object: "list",
          data: [{ id: modelId, object: "model", created, owned_by: "omni-thinker" }],
        });
      }
      if (path === "/v1/chat/completions") {
        if (req.method !== "POST") throw new HttpError(405, "use POST");
        return chatCompletions(req, res);
      }
      throw new HttpError(404, `no route ${req.method} ${path}`);
    };
    handle().catch((err: unknown) => {
      if (res.headersSent) return;
      const e = err instanceof HttpError ? err : new HttpError(500, (err as Error).message, "server_error");
      sendJson(res, e.status, { error: { message: e.message, type: e.type, code: null } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8001, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
