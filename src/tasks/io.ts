// Reading and writing dataset rows as JSONL (one row per line) or Parquet (by file extension).
// JSONL is streamed line by line, so large files never sit in memory as one string.
// Strict readers throw a RowSchemaError naming file, line and field; `checkRows` collects problems instead.
import { createReadStream, mkdirSync } from "node:fs";
import { dirname, extname } from "node:path";
import { createInterface } from "node:readline";
import { writeFileAtomic } from "../util/atomic.js";
import { decodeParquetFile, encodeParquet } from "./parquet.js";
import { checkRow, type Row, type RowProblem, RowSchemaError } from "./schema.js";

export type RowFormat = "jsonl" | "parquet";

export function formatOf(file: string): RowFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".jsonl" || ext === ".json" || ext === ".ndjson") return "jsonl";
  if (ext === ".parquet") return "parquet";
  throw new Error(`${file}: unknown dataset format '${ext}' (use .jsonl or .parquet)`);
}

/** A row as stored, with its 1-based position (JSONL line number or Parquet row number). */
export interface RawRow {
  line: number;
  value: unknown;
  /** Set when the line is not valid JSON. */
  parseError?: string;
}

/** Yields raw rows without validating them. Blank JSONL lines are skipped. */
export async function* iterateRawRows(file: string): AsyncGenerator<RawRow> {
  if (formatOf(file) === "parquet") {
    const rows = await decodeParquetFile(file);
    for (let i = 0; i < rows.length; i++) yield { line: i + 1, value: rows[i] };
    return;
  }
  const lines = createInterface({
    input: createReadStream(file, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    try {
      yield { line, value: JSON.parse(text) };
    } catch (err) {
      yield { line, value: undefined, parseError: `invalid JSON: ${(err as Error).message}` };
    }
  }
}

/** Validated rows, streamed; stops with a RowSchemaError at the first bad row. */
export async function* iterateRows(file: string): AsyncGenerator<Row> {
  for await (const raw of iterateRawRows(file)) {
    const checked = checkRaw(raw, file);
    if (checked.row === undefined) throw new RowSchemaError(checked.problems);
    yield checked.row;
  }
}

function checkRaw(raw: RawRow, file: string) {
  if (raw.parseError !== undefined) {
    return {
      row: undefined,
      problems: [{ file, line: raw.line, field: "(row)", message: raw.parseError }] as RowProblem[],
    };
  }
  return checkRow(raw.value, file, raw.line);
}

/** Every valid row and every problem; never throws on bad rows (only on unreadable files). */
export async function checkRows(file: string): Promise<{ rows: Row[]; problems: RowProblem[] }> {
  const rows: Row[] = [];
  const problems: RowProblem[] = [];
  for await (const raw of iterateRawRows(file)) {
    const checked = checkRaw(raw, file);
    if (checked.row) rows.push(checked.row);
    else problems.push(...checked.problems);
  }
  return { rows, problems };
}

/** All rows of a .jsonl or .parquet file; throws a RowSchemaError listing every bad row. */
export async function readRows(file: string): Promise<Row[]> {
  const { rows, problems } = await checkRows(file);
  if (problems.length > 0) throw new RowSchemaError(problems);
  return rows;
}

/** One JSON object per line, keys in insertion order, `\n` line ends: byte-stable for stable input. */
export function rowsToJsonl(rows: readonly Row[]): string {
  let out = "";
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

/** Atomically writes rows as JSONL or Parquet (by extension), creating the directory if needed. */
export function writeRows(file: string, rows: readonly Row[]): void {
  mkdirSync(dirname(file), { recursive: true });
  if (formatOf(file) === "parquet") writeFileAtomic(file, encodeParquet(rows));
  else writeFileAtomic(file, rowsToJsonl(rows));
}
