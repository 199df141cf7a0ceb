// A minimal client for OpenAI-compatible `POST {base_url}/chat/completions` (vLLM, SGLang, llama.cpp,
// Ollama, OpenAI, `omni-thinker serve model`), over node:http(s) with pooled keep-alive sockets.
//
// Why not the `openai` SDK: judges and eval endpoints are called hundreds of times a second with small
// JSON bodies, and the client's CPU per call decides how close one event loop gets to the server's
// throughput. The SDK (over any fetch) spent about 1.6 ms of CPU per call here; this path sends one
// JSON body and parses one JSON reply, nothing else (bench:rewards, "judge" row). Retries are the
// caller's: every attempt is counted and bounded there.
import http from "node:http";
import https from "node:https";

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
};

export interface ChatCompletionRequest {
  model: string;
  messages: readonly { role: string; content: string }[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  n?: number;
  seed?: number;
  stop?: string[];
}

export interface ChatCompletionChoice {
  index: number;
  message?: { role?: string; content?: string | null };
  finish_reason?: string | null;
}

export interface ChatCompletionResponse {
  choices: ChatCompletionChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/**
 * A failed call. `status` is the HTTP status when the server answered; `retryable` says whether
 * trying again can help (connection failures, 408, 429, 5xx) or cannot (other 4xx, a malformed reply).
 */
export class OpenAiRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = "OpenAiRequestError";
  }
}

export interface ChatRequestOptions {
  apiKey?: string;
  /** Aborting rejects with an Error named "AbortError" and closes the socket. */
  signal?: AbortSignal;
  /** Rejects with a retryable OpenAiRequestError after this many ms (0 or absent: no limit). */
  timeoutMs?: number;
}

function abortError(): Error {
  const err = new Error("The operation was aborted");
  err.name = "AbortError";
  return err;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The server's own message from an OpenAI-style error body, else the start of the body. */
function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
    if (typeof parsed.error?.message === "string") return parsed.error.message;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200) || "(empty body)";
}

/** The URL of the chat completions route under `baseURL` (".../v1" -> ".../v1/chat/completions"). */
export function chatCompletionsUrl(baseURL: string): URL {
  return new URL(`${baseURL.replace(/\/+$/, "")}/chat/completions`);
}

/** POSTs one chat completion request and returns the parsed reply; throws OpenAiRequestError. */
export function createChatCompletion(
  url: URL,
  request: ChatCompletionRequest,
  opts: ChatRequestOptions = {},
): Promise<ChatCompletionResponse> {
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent)
    return Promise.reject(new OpenAiRequestError(`unsupported URL protocol ${url.protocol}`, false));
  const { signal, timeoutMs } = opts;
  if (signal?.aborted) return Promise.reject(abortError());
  const body = JSON.stringify(request);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    "content-length": String(Buffer.byteLength(body)),
  };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  const transport = url.protocol === "https:" ? https : http;

  return new Promise<ChatCompletionResponse>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, value?: ChatCompletionResponse) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = transport.request(url, { method: "POST", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => finish(new OpenAiRequestError(`connection failed: ${e.message}`, true)));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString("utf8");
        if (status < 200 || status >= 300) {
          finish(
            new OpenAiRequestError(
              `HTTP ${status}: ${errorMessage(text)}`,
              isRetryableStatus(status),
              status,
            ),
          );
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          finish(new OpenAiRequestError(`reply is not JSON: ${text.slice(0, 200)}`, false, status));
          return;
        }
        const choices = (parsed as { choices?: unknown } | null)?.choices;
        if (!Array.isArray(choices)) {
          finish(new OpenAiRequestError("reply has no choices array", false, status));
          return;
        }
        finish(null, parsed as ChatCompletionResponse);
      });
    });
    const onAbort = () => {
      req.destroy();
      finish(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs && timeoutMs > 0) {
      timer = setTimeout(() => {
        req.destroy();
        finish(new OpenAiRequestError(`timed out after ${timeoutMs} ms`, true));
      }, timeoutMs);
    }
    req.on("error", (e) => finish(new OpenAiRequestError(`connection failed: ${e.message}`, true)));
    req.end(body);
  });
}
