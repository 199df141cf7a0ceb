// Parquet layout for dataset rows, compatible with verl's parquet files:
//   data_source   STRING
//   prompt        LIST<STRUCT<role STRING, content STRING>>   (native nested, as verl writes it)
//   ability       STRING
//   reward_model  STRUCT<style STRING, ground_truth STRING | JSON>
//   extra_info    JSON (a JSON text column)
//   other keys    JSON
// `ground_truth` is a plain STRING column when every row's ground truth is a string (math, qa: what
// verl's own reward functions expect) and a JSON column otherwise (code and writing carry objects).
// `extra_info` differs by task, so a single struct type cannot hold it; it is stored as JSON text.
// The reader accepts both this layout and files where any of these columns are structs or JSON strings.
import { readFileSync } from "node:fs";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Row } from "./schema.js";

const STANDARD_KEYS = ["data_source", "prompt", "ability", "reward_model", "extra_info"];

type SchemaElement = Parameters<typeof parquetWriteBuffer>[0]["schema"] extends (infer E)[] | undefined
  ? E
  : never;

const str = (name: string): SchemaElement => ({
  name,
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  repetition_type: "REQUIRED",
});
const json = (name: string, required = true): SchemaElement => ({
  name,
  type: "BYTE_ARRAY",
  converted_type: "JSON",
  repetition_type: required ? "REQUIRED" : "OPTIONAL",
});

export function encodeParquet(rows: readonly Row[]): Uint8Array {
  if (rows.length === 0) throw new Error("cannot write an empty Parquet dataset (no rows)");
  const extraKeys: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!STANDARD_KEYS.includes(key) && !extraKeys.includes(key)) extraKeys.push(key);
    }
  }
  const allStrings = rows.every((r) => typeof r.reward_model.ground_truth === "string");
  const schema: SchemaElement[] = [
    { name: "root", num_children: 5 + extraKeys.length },
    str("data_source"),
    { name: "prompt", repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "element", repetition_type: "REQUIRED", num_children: 2 },
    str("role"),
    str("content"),
    str("ability"),
    { name: "reward_model", repetition_type: "REQUIRED", num_children: 2 },
    str("style"),
    allStrings ? str("ground_truth") : json("ground_truth"),
    json("extra_info"),
    ...extraKeys.map((k) => json(k, false)),
  ];
  const columnData = [
    { name: "data_source", data: rows.map((r) => r.data_source) },
    { name: "prompt", data: rows.map((r) => r.prompt.map((m) => ({ role: m.role, content: m.content }))) },
    { name: "ability", data: rows.map((r) => r.ability) },
    {
      name: "reward_model",
      data: rows.map((r) => ({ style: r.reward_model.style, ground_truth: r.reward_model.ground_truth })),
    },
    { name: "extra_info", data: rows.map((r) => r.extra_info) },
    ...extraKeys.map((k) => ({ name: k, data: rows.map((r) => (r as Record<string, unknown>)[k] ?? null) })),
  ];
  return new Uint8Array(parquetWriteBuffer({ columnData, schema }));
}

/** Reads every row of a Parquet file as plain objects (not yet validated). */
export async function decodeParquetFile(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  return rows.map(normalizeParquetRow);
}

/** Undoes the storage choices of other writers: JSON-string columns, BigInt integers, null extras. */
export function normalizeParquetRow(raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    let v = toPlain(value);
    if ((key === "prompt" || key === "reward_model" || key === "extra_info") && typeof v === "string") {
      v = parseJsonOrKeep(v);
    }
    if (v === null && !STANDARD_KEYS.includes(key)) continue; // absent optional extra column
    row[key] = v;
  }
  return row;
}

function parseJsonOrKeep(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // left for schema validation to report
  }
}

function toPlain(value: unknown): unknown {
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<unknown>, toPlain);
  }
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}
