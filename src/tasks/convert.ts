// JSONL <-> Parquet conversion of dataset rows (the format follows each file's extension).
// Rows are validated on the way; by default nothing is written when any row has a schema problem.
// Rows are written as read (key order kept), so JSONL -> Parquet -> JSONL gives the same bytes back.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { formatOf, iterateRawRows, type RowFormat } from "./io.js";
import { encodeParquet } from "./parquet.js";
import { checkRow, type Row, type RowProblem } from "./schema.js";

export interface ConvertOptions {
  /** Write the rows that are JSON objects even when some fail the schema (problems are still returned). */
  allowInvalid?: boolean;
}

export interface ConvertResult {
  from: RowFormat;
  to: RowFormat;
  rows: number;
  problems: RowProblem[];
  written: boolean;
}

export async function convertRows(
  input: string,
  output: string,
  opts: ConvertOptions = {},
): Promise<ConvertResult> {
  const from = formatOf(input);
  const to = formatOf(output);
  const values: Record<string, unknown>[] = [];
  const problems: RowProblem[] = [];
  for await (const raw of iterateRawRows(input)) {
    if (raw.parseError !== undefined) {
      problems.push({ file: input, line: raw.line, field: "(row)", message: raw.parseError });
      continue;
    }
    problems.push(...checkRow(raw.value, input, raw.line).problems);
    if (raw.value !== null && typeof raw.value === "object" && !Array.isArray(raw.value)) {
      values.push(raw.value as Record<string, unknown>);
    }
  }
  const result: ConvertResult = { from, to, rows: values.length, problems, written: false };
  if (problems.length > 0 && !opts.allowInvalid) return result;
  let data: string | Uint8Array;
  if (to === "jsonl") {
    data = values.map((v) => `${JSON.stringify(v)}\n`).join("");
  } else {
    try {
      data = encodeParquet(values as Row[]);
    } catch (err) {
      throw new Error(`${output}: cannot encode the rows as Parquet: ${(err as Error).message}`);
    }
  }
  mkdirSync(dirname(output), { recursive: true });
  writeFileAtomic(output, data);
  result.written = true;
  return result;
}
