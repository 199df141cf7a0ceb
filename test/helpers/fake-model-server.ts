// A real OpenAI-compatible model server on loopback that answers from a fixed table keyed by the
// last user message: a reply text, an HTTP error, or no answer at all (the client must time out).
// No side effects on import.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type TableEntry = { reply: string } | { status: number } | { hang: true };

export interface FakeModelServer {
  baseUrl: string;
  calls: number;
  close(): Promise<void>;
}

export async function startFakeModelServer(table: Record<string, TableEntry>): Promise<FakeModelServer> {
  const hanging: ServerResponse[] = [];
  const state = { calls: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.calls++;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        messages: { role: string; content: string }[];
        n?: number;
      };
      const user = [...body.messages].reverse().find((m) => m.role === "user")?.content ?? "";
      const entry = table[user];
      if (!entry) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `no table entry for prompt ${JSON.stringify(user)}` } }));
      } else if ("hang" in entry) {
        hanging.push(res);
      } else if ("status" in entry) {
        res.writeHead(entry.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "table says fail" } }));
      } else {
        const n = body.n ?? 1;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "cmpl-1",
            object: "chat.completion",
            created: 0,
            model: "table",
            choices: Array.from({ length: n }, (_, index) => ({
              index,
              message: { role: "assistant", content: entry.reply },
              finish_reason: "stop",
            })),
            usage: {
              prompt_tokens: 1,
              completion_tokens: n * entry.reply.split(/\s+/).length,
              total_tokens: 1,
            },
          }),
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get calls() {
      return state.calls;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
