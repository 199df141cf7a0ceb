// A real OpenAI-compatible HTTP server on loopback for tests and benchmarks: `/v1/chat/completions`
// and `/v1/models`, with settable behaviour (verdict rule, position bias, latency, HTTP errors, hangs,
// garbage) and counters (calls, requests in flight and their maximum). No side effects on import.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Rng } from "../../src/engine/rng.js";
import {
  ANSWER_A_END,
  ANSWER_A_START,
  ANSWER_B_END,
  ANSWER_B_START,
  QUESTION_HEADER,
} from "../../src/rewards/judge/pairwise-prompt.js";

export type FakeVerdict = "A" | "B" | "C";

export interface ChatRequestMessage {
  role: string;
  content: string;
}

export interface FakeBehaviour {
  /** Pairwise rule: which answer wins. Default: always "A". */
  verdict?: (answerA: string, answerB: string, question: string) => FakeVerdict;
  /** Any request: the whole reply text (takes precedence over `verdict`). */
  reply?: (messages: ChatRequestMessage[]) => string;
  /** With this probability, say "A" whatever the answers (a position-biased judge). */
  positionBias?: number;
  /** Delay before answering, in milliseconds. */
  latencyMs?: number;
  /** The first N calls answer with HTTP `failStatus` (default 500). */
  failFirst?: number;
  failStatus?: number;
  /** Never answer (the client must time out). */
  hang?: boolean;
  /** Answer with text that holds no verdict. */
  garbage?: boolean;
}

export interface FakeOpenAiServer {
  /** Base URL to give an OpenAI client, ending in /v1. */
  readonly baseUrl: string;
  readonly port: number;
  behaviour: FakeBehaviour;
  /** Chat completion requests received (failed and hung ones included). */
  readonly calls: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Every request's messages, in arrival order. */
  readonly requests: ChatRequestMessage[][];
  resetCounters(): void;
  close(): Promise<void>;
}

/** Extracts the text between two marker lines of a pairwise prompt. */
function between(text: string, start: string, end: string): string {
  const i = text.indexOf(start);
  const j = text.indexOf(end, i + start.length);
  if (i < 0 || j < 0) return "";
  return text.slice(i + start.length + 1, j - 1);
}

export function parsePairwisePrompt(messages: ChatRequestMessage[]): {
  question: string;
  a: string;
  b: string;
} {
  const user = messages.find((m) => m.role === "user")?.content ?? "";
  const qStart = user.indexOf(QUESTION_HEADER);
  const question =
    qStart >= 0 ? user.slice(qStart + QUESTION_HEADER.length + 1, user.indexOf(ANSWER_A_START) - 2) : "";
  return {
    question,
    a: between(user, ANSWER_A_START, ANSWER_A_END),
    b: between(user, ANSWER_B_START, ANSWER_B_END),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeOpenAiServer(
  behaviour: FakeBehaviour = {},
  seed = 1,
): Promise<FakeOpenAiServer> {
  const rng = new Rng(seed);
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const requests: ChatRequestMessage[][] = [];

  const state = { behaviour };

  function replyText(messages: ChatRequestMessage[]): string {
    const b = state.behaviour;
    if (b.garbage) return "I think both answers have merits and I cannot decide.";
    if (b.reply) return b.reply(messages);
    const { question, a, b: answerB } = parsePairwisePrompt(messages);
    const biased = b.positionBias !== undefined && rng.next() < b.positionBias;
    const verdict = biased ? "A" : (b.verdict?.(a, answerB, question) ?? "A");
    return `Comparing the two answers for helpfulness and accuracy. My verdict: [[${verdict}]]`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === "GET" && req.url === "/v1/models") {
      sendJson(res, 200, { object: "list", data: [{ id: "fake-judge", object: "model", owned_by: "test" }] });
      return;
    }
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
      return;
    }
    const body = JSON.parse(await readBody(req)) as { model?: string; messages?: ChatRequestMessage[] };
    const messages = body.messages ?? [];
    const callIndex = calls++;
    requests.push(messages);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const b = state.behaviour;
      if (b.hang) {
        await new Promise<void>((resolve) => res.on("close", () => resolve()));
        return;
      }
      if (b.latencyMs) await new Promise((r) => setTimeout(r, b.latencyMs));
      if (b.failFirst !== undefined && callIndex < b.failFirst) {
        sendJson(res, b.failStatus ?? 500, { error: { message: "injected failure", type: "server_error" } });
        return;
      }
      sendJson(res, 200, {
        id: `chatcmpl-${callIndex}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? "fake-judge",
        choices: [
          { index: 0, message: { role: "assistant", content: replyText(messages) }, finish_reason: "stop" },
        ],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      });
    } finally {
      inFlight--;
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 400, { error: { message: err.message } });
    });
  });
  // Keep-alive sockets are many at high concurrency; let them all in.
  server.maxConnections = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: FakeBehaviour) {
      state.behaviour = b;
    },
    get calls() {
      return calls;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    requests,
    resetCounters() {
      calls = 0;
      maxInFlight = inFlight;
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
