// Offline scoring of a JSONL file of responses: each input row comes back with `reward: {score,
// status, details}` appended. Rows are streamed in batches; a malformed row or an unknown data_source
// becomes an output row with `error` naming its line, and the rest of the file is still scored.
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { z } from "zod";
import { fsyncDir, tempPathFor, writeAll } from "../util/atomic.js";
import { type RewardRouter, rawMetric, UnknownDataSourceError } from "./router.js";
import type { ChatMessage, RewardResult, RewardSample, RewardStatus } from "./types.js";

export const ScoreInputRow = z.looseObject({
  data_source: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.looseObject({ role: z.string(), content: z.string() }))]),
  response: z.string(),
  reward_model: z.looseObject({ ground_truth: z.unknown().optional() }).optional(),
  extra_info: z.record(z.string(), z.unknown()).optional(),
});
export type ScoreInputRow = z.output<typeof ScoreInputRow>;

export function rowToSample(row: ScoreInputRow): RewardSample {
  const prompt: ChatMessage[] =
    typeof row.prompt === "string" ? [{ role: "user", content: row.prompt }] : (row.prompt as ChatMessage[]);
  return {
    dataSource: row.data_source,
    prompt,
    response: row.response,
    groundTruth: row.reward_model?.ground_truth,
    extraInfo: row.extra_info,
  };
}

export interface TaskSummary {
  count: number;
  /** Rows that could not be scored (malformed, unknown data_source, reward crashed). */
  errors: number;
  scoreSum: number;
  metricSum: number;
  statuses: Partial<Record<RewardStatus, number>>;
}

export interface ScoreFileSummary {
  rows: number;
  failedRows: number;
  tasks: Record<string, TaskSummary>;
}

interface PendingRow {
  line: number;
  raw: unknown;
  row?: ScoreInputRow;
  error?: string;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.message}`).join("; ");
}

function parseRow(text: string, line: number): PendingRow {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { line, raw: undefined, error: `line ${line}: invalid JSON: ${(err as Error).message}` };
  }
  const parsed = ScoreInputRow.safeParse(raw);
  if (!parsed.success) return { line, raw, error: `line ${line}: ${describeIssues(parsed.error)}` };
  return { line, raw, row: parsed.data };
}

function taskOf(summary: ScoreFileSummary, name: string): TaskSummary {
  summary.tasks[name] ??= { count: 0, errors: 0, scoreSum: 0, metricSum: 0, statuses: {} };
  return summary.tasks[name];
}

/** The row's task for the summary: its data_source when it has a readable one. */
function taskName(p: PendingRow): string {
  if (p.row) return p.row.data_source;
  const ds = (p.raw as { data_source?: unknown } | undefined)?.data_source;
  return typeof ds === "string" && ds ? ds : "(malformed)";
}

/** Group ids: rows of one batch with the same data_source and prompt answer the same question. */
function groupIdsOf(rows: ScoreInputRow[]): number[] {
  const ids = new Map<string, number>();
  return rows.map((r) => {
    const key = `${r.data_source}\u0000${JSON.stringify(r.prompt)}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return id;
  });
}

async function scoreBatch(
  router: RewardRouter,
  batch: PendingRow[],
  summary: ScoreFileSummary,
): Promise<string[]> {
  for (const p of batch) {
    if (p.row && !router.has(p.row.data_source)) {
      p.error = `line ${p.line}: ${new UnknownDataSourceError(p.row.data_source, router.patterns).message}`;
    }
  }
  const scorable = batch.filter((p) => p.row && !p.error);
  const rows = scorable.map((p) => p.row!);
  let results: RewardResult[] = [];
  try {
    results = await router.scoreBatch(rows.map(rowToSample), { groupIds: groupIdsOf(rows) });
  } catch (err) {
    const first = scorable[0]?.line ?? 0;
    const last = scorable.at(-1)?.line ?? 0;
    for (const p of scorable) p.error = `lines ${first}-${last}: scoring failed: ${(err as Error).message}`;
  }
  const resultOf = new Map(scorable.map((p, k) => [p, results[k]]));
  return batch.map((p) => {
    summary.rows++;
    const task = taskOf(summary, taskName(p));
    task.count++;
    const r = resultOf.get(p);
    if (p.error || !r) {
      summary.failedRows++;
      task.errors++;
      const base = p.raw && typeof p.raw === "object" && !Array.isArray(p.raw) ? p.raw : { line: p.line };
      return JSON.stringify({ ...base, error: p.error });
    }
    task.scoreSum += r.score;
    task.metricSum += rawMetric(r);
    task.statuses[r.status] = (task.statuses[r.status] ?? 0) + 1;
    return JSON.stringify({ ...(p.raw as object), reward: r });
  });
}

/** Where scored lines go: a file descriptor (synchronous appends) or a stream such as stdout. */
type Sink = { fd: number } | { stream: Writable };

function writeLines(sink: Sink, lines: string[]): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  const text = `${lines.join("\n")}\n`;
  if ("fd" in sink) {
    writeAll(sink.fd, Buffer.from(text, "utf8"));
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    sink.stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Scores `inputPath` (JSONL) with `router`. Output goes to `outputPath`, written to a temp file and
 * renamed into place at the end (a crash leaves no half-written output), or to `stdout` when omitted.
 */
export async function scoreFile(
  router: RewardRouter,
  inputPath: string,
  outputPath: string | undefined,
  opts: { batchSize?: number; stdout?: Writable } = {},
): Promise<ScoreFileSummary> {
  const batchSize = opts.batchSize ?? 256;
  const summary: ScoreFileSummary = { rows: 0, failedRows: 0, tasks: {} };
  const tmp = outputPath ? tempPathFor(outputPath) : undefined;
  const sink: Sink = tmp ? { fd: openSync(tmp, "wx") } : { stream: opts.stdout ?? process.stdout };
  try {
    const lines = createInterface({
      input: createReadStream(inputPath),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let batch: PendingRow[] = [];
    let lineNo = 0;
    for await (const text of lines) {
      lineNo++;
      if (text.trim() === "") continue;
      batch.push(parseRow(text, lineNo));
      if (batch.length >= batchSize) {
        await writeLines(sink, await scoreBatch(router, batch, summary));
        batch = [];
      }
    }
    await writeLines(sink, await scoreBatch(router, batch, summary));
    if ("fd" in sink) {
      fsyncSync(sink.fd);
      closeSync(sink.fd);
      sink.fd = -1;
      renameSync(tmp!, outputPath!);
      fsyncDir(dirname(outputPath!));
    }
  } catch (err) {
    if ("fd" in sink) {
      if (sink.fd >= 0) closeSync(sink.fd);
      rmSync(tmp!, { force: true });
    }
    throw err;
  }
  return summary;
}

/** The per-task table the score command prints. */
export function formatSummary(summary: ScoreFileSummary): string {
  const header = ["task", "count", "mean_score", "mean_metric", "errors", "statuses"];
  const rows = Object.entries(summary.tasks)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, t]) => {
      const scored = t.count - t.errors;
      const statuses = Object.entries(t.statuses)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      return [
        name,
        String(t.count),
        scored ? (t.scoreSum / scored).toFixed(4) : "-",
        scored ? (t.metricSum / scored).toFixed(4) : "-",
        String(t.errors),
        statuses || "-",
      ];
    });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join("  ")
      .trimEnd();
  return [fmt(header), ...rows.map(fmt), `rows=${summary.rows} failed=${summary.failedRows}`].join("\n");
}
