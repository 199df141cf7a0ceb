// The reward service: an HTTP front to a RewardRouter.
//   POST / or /get_reward   OpenRLHF `--remote_rm_url` protocol: {query[], prompts[], labels[]} ->
//                           {rewards[], scores[], extra_logs{}}; the response is query minus its prompt.
//   POST /score             omni-thinker rows (as in `score` input) -> {results: [{score, status, details, metric}]};
//                           the verl integration uses this.
//   GET  /health            liveness and the configured data_source patterns.
//   GET  /stats             judge statistics and cache pointers.
// Bad requests are answered 400 with a reason (413 when too large), never scored.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { type RewardRouter, rawMetric, UnknownDataSourceError } from "./router.js";
import { rowToSample, ScoreInputRow } from "./score-file.js";
import { REWARD_STATUSES, type RewardSample } from "./types.js";

export interface RewardServerOptions {
  router: RewardRouter;
  /** data_source for labels that are plain ground-truth strings. */
  defaultTask?: string;
  /** Largest accepted request body, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const OpenRlhfRequest = z.object({
  query: z.array(z.string()),
  prompts: z.array(z.string()),
  labels: z.array(z.string()),
});

const ScoreRequest = z.object({ samples: z.array(ScoreInputRow) });

const LabelObject = z.looseObject({
  data_source: z.string().min(1),
  ground_truth: z.unknown().optional(),
  extra_info: z.record(z.string(), z.unknown()).optional(),
});

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
}

/**
 * A label is the ground truth as a plain string (scored with the default task), or a JSON object
 * string `{"data_source": ..., "ground_truth": ..., "extra_info": {...}}`.
 */
export function parseLabel(
  label: string,
  index: number,
  defaultTask: string | undefined,
): { dataSource: string; groundTruth: unknown; extraInfo?: Record<string, unknown> } {
  const trimmed = label.trimStart();
  if (trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = undefined;
    }
    const parsed = LabelObject.safeParse(value);
    if (parsed.success) {
      return {
        dataSource: parsed.data.data_source,
        groundTruth: parsed.data.ground_truth,
        extraInfo: parsed.data.extra_info,
      };
    }
  }
  if (!defaultTask) {
    throw new HttpError(
      400,
      `labels[${index}] is not a JSON object with a data_source, and the server has no default task (--default-task)`,
    );
  }
  return { dataSource: defaultTask, groundTruth: label };
}

/** Turns an OpenRLHF request into samples; the response is the query with its prompt prefix removed. */
export function openRlhfSamples(
  body: z.output<typeof OpenRlhfRequest>,
  defaultTask?: string,
): RewardSample[] {
  const n = body.query.length;
  if (body.prompts.length !== n || body.labels.length !== n) {
    throw new HttpError(
      400,
      `query, prompts and labels must have the same length (got ${n}, ${body.prompts.length}, ${body.labels.length})`,
    );
  }
  return body.query.map((query, i) => {
    const prompt = body.prompts[i]!;
    if (!query.startsWith(prompt)) throw new HttpError(400, `query[${i}] does not start with prompts[${i}]`);
    const label = parseLabel(body.labels[i]!, i, defaultTask);
    return {
      dataSource: label.dataSource,
      prompt: [{ role: "user", content: prompt }],
      response: query.slice(prompt.length),
      groundTruth: label.groundTruth,
      extraInfo: label.extraInfo,
    };
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function createRewardServer(opts: RewardServerOptions): Server {
  const { router } = opts;
  const limit = opts.maxBodyBytes ?? 64 * 1024 * 1024;

  async function score(samples: RewardSample[]) {
    for (const s of samples) {
      if (!router.has(s.dataSource))
        throw new HttpError(400, new UnknownDataSourceError(s.dataSource, router.patterns).message);
    }
    return router.scoreBatch(samples);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/health") {
      send(res, 200, { status: "ok", rewards: router.patterns });
      return;
    }
    if (req.method === "GET" && path === "/stats") {
      send(res, 200, { judges: router.judgeStats(), cache_pointers: router.judgeCachePointers() });
      return;
    }
    if (req.method === "POST" && (path === "/" || path === "/get_reward")) {
      const parsed = OpenRlhfRequest.safeParse(await readJson(req, limit));
      if (!parsed.success)
        throw new HttpError(
          400,
          `expected {query: string[], prompts: string[], labels: string[]}: ${issuesText(parsed.error)}`,
        );
      const results = await score(openRlhfSamples(parsed.data, opts.defaultTask));
      // OpenRLHF concatenates extra_logs as tensors, so every log is numeric: a status code (index in
      // REWARD_STATUSES) and one 0/1 column per status, whose batch mean is that status's rate.
      const extraLogs: Record<string, number[]> = {
        metric: results.map(rawMetric),
        status_code: results.map((r) => REWARD_STATUSES.indexOf(r.status)),
      };
      for (const status of REWARD_STATUSES)
        extraLogs[`status_${status}`] = results.map((r) => (r.status === status ? 1 : 0));
      send(res, 200, {
        rewards: results.map((r) => r.score),
        scores: results.map(rawMetric),
        extra_logs: extraLogs,
        statuses: results.map((r) => r.status),
      });
      return;
    }
    if (req.method === "POST" && path === "/score") {
      const parsed = ScoreRequest.safeParse(await readJson(req, limit));
      if (!parsed.success)
        throw new HttpError(400, `expected {samples: [row...]}: ${issuesText(parsed.error)}`);
      const results = await score(parsed.data.samples.map(rowToSample));
      send(res, 200, { results: results.map((r) => ({ ...r, metric: rawMetric(r) })) });
      return;
    }
    throw new HttpError(404, `no route ${req.method} ${path}`);
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) {
        if (status === 413) res.setHeader("connection", "close");
        send(res, status, { error: (err as Error).message });
      }
    });
  });
}

export interface RunningRewardServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startRewardServer(
  opts: RewardServerOptions & { host?: string; port?: number },
): Promise<RunningRewardServer> {
  const server = createRewardServer(opts);
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8000, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
