// A SandboxFusion stand-in on loopback: speaks `POST /run_code` and runs the code through a real CodeRunner
// (normally the local sandbox), or answers with canned failures to exercise the client's error handling.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CodeRunner, RunResult } from "../../src/rewards/sandbox/index.js";

export interface RunCodeRequest {
  code: string;
  language: string;
  run_timeout?: number;
  stdin?: string;
  files?: Record<string, string>;
}

export interface FakeSandboxFusionOptions {
  /** Executes the code; without it every request gets `respond`'s answer or a SandboxError. */
  runner?: CodeRunner;
  /** The first N requests get HTTP `failStatus` (default 503). */
  failFirst?: number;
  failStatus?: number;
  /** Waits this long before answering (to trip the client's timeout). */
  delayMs?: number;
  /** A canned JSON answer; overrides the runner. */
  respond?: (req: RunCodeRequest) => unknown;
}

export interface FakeSandboxFusion {
  url: string;
  /** Every request body received, in order (including failed ones). */
  requests: RunCodeRequest[];
  close(): Promise<void>;
}

/** Our RunResult in SandboxFusion's response shape. */
export function toSandboxFusionResponse(r: RunResult): unknown {
  if (r.status === "sandbox_error")
    return { status: "SandboxError", message: String(r.details.error), run_result: null };
  return {
    status: r.status === "ok" ? "Success" : "Failed",
    message: "",
    compile_result: null,
    run_result: {
      status: r.status === "timeout" ? "TimeLimitExceeded" : "Finished",
      execution_time: r.durationMs / 1000,
      return_code: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeSandboxFusion(
  opts: FakeSandboxFusionOptions = {},
): Promise<FakeSandboxFusion> {
  const requests: RunCodeRequest[] = [];
  let failuresLeft = opts.failFirst ?? 0;
  const server: Server = createServer(async (req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/run_code") return send(404, { detail: "Not Found" });
    let body: RunCodeRequest;
    try {
      body = JSON.parse(await readBody(req)) as RunCodeRequest;
    } catch {
      return send(400, { detail: "invalid JSON" });
    }
    requests.push(body);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (failuresLeft > 0) {
      failuresLeft--;
      return send(opts.failStatus ?? 503, { detail: "overloaded" });
    }
    if (typeof body.code !== "string" || body.language !== "python") {
      return send(422, { detail: "code (string) and language: python required" });
    }
    if (opts.respond) return send(200, opts.respond(body));
    if (!opts.runner) return send(200, { status: "SandboxError", message: "no runner", run_result: null });
    const files: Record<string, string> = {};
    for (const [name, b64] of Object.entries(body.files ?? {}))
      files[name] = Buffer.from(b64, "base64").toString("utf8");
    const result = await opts.runner.run({
      code: body.code,
      stdin: body.stdin,
      files,
      timeoutMs: body.run_timeout === undefined ? undefined : Math.round(body.run_timeout * 1000),
    });
    send(200, toSandboxFusionResponse(result));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
