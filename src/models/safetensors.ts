// safetensors reader and writer, from the format spec (https://github.com/huggingface/safetensors):
//   [8 bytes: header length N, u64 little-endian][N bytes: JSON header][data buffer]
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the
// start of the data buffer; tensors are contiguous, row-major, little-endian) and may hold a
// `__metadata__` object of string -> string. We read F32, F16 and BF16 (into Float32Array) and write F32
// or BF16.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";

/** A tensor as the engine holds it: f32 data in row-major order. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export type FloatDtype = "F32" | "F16" | "BF16";

export interface LoadedTensor extends Tensor {
  /** The dtype the tensor had on disk (its data is always converted to f32). */
  dtype: FloatDtype;
}

export interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  /** Tensors in file order (ascending data offset). */
  tensors: Map<string, HeaderEntry>;
  metadata: Record<string, string>;
  /** Absolute file offset of the data buffer. */
  dataStart: number;
  /** Byte length of the data buffer. */
  dataLength: number;
}

export type TensorInput = Map<string, Tensor> | Record<string, Tensor>;

export interface WriteOptions {
  dtype?: "F32" | "BF16";
  metadata?: Record<string, string>;
}

/** An error about one safetensors file (and, where it applies, one tensor in it). */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly tensor?: string,
  ) {
    super(`${file}: ${tensor !== undefined ? `tensor "${tensor}": ` : ""}${message}`);
    this.name = "SafetensorsError";
  }
}

/** Same limit as the reference implementation: a larger header is a corrupt or hostile file. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element of every dtype the spec names; only the float ones can be read as f32. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const FLOAT_DTYPES: readonly string[] = ["F32", "F16", "BF16"];

if (endianness() !== "LE") {
  // Typed-array views below assume the host byte order equals the file's (little-endian).
  throw new Error("safetensors I/O needs a little-endian host");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Validates one header entry; returns it typed. */
function parseEntry(file: string, name: string, raw: unknown): HeaderEntry {
  if (!isObject(raw)) throw new SafetensorsError(file, "header entry is not an object", name);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== "string") throw new SafetensorsError(file, "dtype is missing or not a string", name);
  if (DTYPE_BYTES[dtype] === undefined) {
    throw new SafetensorsError(
      file,
      `unknown dtype "${dtype}" (the format defines ${Object.keys(DTYPE_BYTES).join(", ")})`,
      name,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new SafetensorsError(
      file,
      `shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
      name,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw new SafetensorsError(
      file,
      `data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`,
      name,
    );
  }
  const expected = elementCount(shape) * DTYPE_BYTES[dtype]!;
  const actual = offsets[1] - offsets[0];
  if (actual !== expected) {
    throw new SafetensorsError(
      file,
      `data_offsets ${JSON.stringify(offsets)} span ${actual} bytes but shape ${JSON.stringify(shape)} x ${dtype} needs ${expected}`,
      name,
    );
  }
  return { dtype, shape: [...shape], data_offsets: [offsets[0], offsets[1]] };
}

/** Parses and validates the header of an open file: lengths, JSON, dtypes, offsets, overlap, truncation. */
function readHeaderFromFd(fd: number, file: string): SafetensorsHeader {
  const fileSize = fstatSync(fd).size;
  if (fileSize < 8) {
    throw new SafetensorsError(file, `truncated: ${fileSize} bytes, too short for the 8-byte header length`);
  }
  const lenBuf = Buffer.alloc(8);
  readExactly(fd, lenBuf, 0, file);
  const headerLen = lenBuf.readBigUInt64LE(0);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(file, `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const n = Number(headerLen);
  if (n < 2)
    throw new SafetensorsError(file, `bad header length ${n} (a JSON object needs at least 2 bytes)`);
  if (8 + n > fileSize) {
    throw new SafetensorsError(
      file,
      `truncated: header length ${n} runs past the end of the ${fileSize}-byte file`,
    );
  }
  const headerBuf = Buffer.alloc(n);
  readExactly(fd, headerBuf, 8, file);
  let json: unknown;
  try {
    json = JSON.parse(headerBuf.toString("utf8"));
  } catch (err) {
    throw new SafetensorsError(file, `invalid JSON header: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new SafetensorsError(file, "invalid JSON header: not an object");

  let metadata: Record<string, string> = {};
  const entries: [string, HeaderEntry][] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === "__metadata__") {
      if (!isObject(raw) || !Object.values(raw).every((v) => typeof v === "string")) {
        throw new SafetensorsError(file, "__metadata__ must be an object of string -> string");
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    entries.push([name, parseEntry(file, name, raw)]);
  }

  const dataStart = 8 + n;
  const dataLength = fileSize - dataStart;
  entries.sort(
    (a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1],
  );
  let prev: [string, HeaderEntry] | undefined;
  for (const entry of entries) {
    const [name, e] = entry;
    if (e.data_offsets[1] > dataLength) {
      throw new SafetensorsError(
        file,
        `truncated or out of range: data ends at byte ${e.data_offsets[1]} but the data buffer has ${dataLength} bytes`,
        name,
      );
    }
    // Zero-size tensors occupy no bytes and cannot overlap anything.
    if (prev && e.data_offsets[0] < prev[1].data_offsets[1] && e.data_offsets[0] < e.data_offsets[1]) {
      throw new SafetensorsError(
        file,
        `data_offsets ${JSON.stringify(e.data_offsets)} overlap tensor "${prev[0]}" at ${JSON.stringify(prev[1].data_offsets)}`,
        name,
      );
    }
    if (e.data_offsets[0] < e.data_offsets[1]) prev = entry;
  }
  return { tensors: new Map(entries), metadata, dataStart, dataLength };
}

function readExactly(fd: number, buf: Uint8Array, position: number, file: string): void {
  // readSync reads at most ~2 GiB per call; loop in 1 GiB pieces.
  const piece = 1 << 30;
  let done = 0;
  while (done < buf.byteLength) {
    const want = Math.min(piece, buf.byteLength - done);
    const got = readSync(fd, buf, done, want, position + done);
    if (got === 0)
      throw new SafetensorsError(file, `truncated: unexpected end of file at byte ${position + done}`);
    done += got;
  }
}

function withFile<T>(file: string, fn: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    throw new SafetensorsError(file, `cannot open: ${(err as Error).message}`);
  }
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads and validates only the header (cheap: no tensor data is read). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  return withFile(file, (fd) => readHeaderFromFd(fd, file));
}

let f16Table: Float32Array | undefined;

/** f32 value of every f16 bit pattern (256 KiB, built once). */
function halfToFloatTable(): Float32Array {
  if (f16Table) return f16Table;
  f16Table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    let value: number;
    if (exp === 0)
      value = mant * 2 ** -24; // zero or subnormal
    else if (exp === 31) value = mant ? Number.NaN : Number.POSITIVE_INFINITY;
    else value = (1 + mant / 1024) * 2 ** (exp - 15);
    f16Table[h] = sign * value;
  }
  return f16Table;
}

/** Converts raw little-endian bytes of `dtype` to f32. */
function toFloat32(bytes: Uint8Array, dtype: FloatDtype): Float32Array {
  if (dtype === "F32") {
    // `bytes` was freshly allocated with an aligned offset of 0, so view it directly.
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  const half = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  const out = new Float32Array(half.length);
  if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < half.length; i++) bits[i] = half[i]! << 16;
  } else {
    const table = halfToFloatTable();
    for (let i = 0; i < half.length; i++) out[i] = table[half[i]!]!;
  }
  return out;
}

/**
 * Reads every float tensor of a safetensors file into f32. `names` limits which tensors are read;
 * asking for one that is absent is an error. Integer / f64 / f8 tensors give an error naming them.
 */
export function readSafetensors(
  file: string,
  opts: { names?: Iterable<string> } = {},
): Map<string, LoadedTensor> {
  return withFile(file, (fd) => {
    const header = readHeaderFromFd(fd, file);
    const wanted = opts.names ? [...opts.names] : [...header.tensors.keys()];
    const out = new Map<string, LoadedTensor>();
    for (const name of wanted) {
      const entry = header.tensors.get(name);
      if (!entry) throw new SafetensorsError(file, "not in this file", name);
      if (!FLOAT_DTYPES.includes(entry.dtype)) {
        throw new SafetensorsError(
          file,
          `unsupported dtype ${entry.dtype} (readable: ${FLOAT_DTYPES.join(", ")})`,
          name,
        );
      }
      const [begin, end] = entry.data_offsets;
      const bytes = new Uint8Array(end - begin);
      readExactly(fd, bytes, header.dataStart + begin, file);
      const dtype = entry.dtype as FloatDtype;
      out.set(name, { dtype, shape: entry.shape, data: toFloat32(bytes, dtype) });
    }
    return out;
  });
}

/** Rounds f32 to bf16 bits with round-to-nearest-even; NaN stays a (quiet) NaN. */
export function float32ToBf16Bits(data: Float32Array): Uint16Array {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i]!;
    if ((u & 0x7fffffff) > 0x7f800000) {
      out[i] = (u >>> 16) | 0x0040;
    } else {
      out[i] = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}

/** The f32 values that `data` becomes after a round trip through bf16 (what a BF16 file holds). */
export function roundToBf16(data: Float32Array): Float32Array {
  const half = float32ToBf16Bits(data);
  const out = new Float32Array(half.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < half.length; i++) bits[i] = half[i]! << 16;
  return out;
}

function entriesOf(tensors: TensorInput): [string, Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

/**
 * Writes tensors to a safetensors file atomically. Tensors are laid out in name order (so the same
 * tensors always give the same bytes); the header is space-padded so the data starts on an 8-byte
 * boundary, as the reference implementation does.
 */
export function writeSafetensors(file: string, tensors: TensorInput, opts: WriteOptions = {}): void {
  const dtype = opts.dtype ?? "F32";
  if (dtype !== "F32" && dtype !== "BF16") {
    throw new SafetensorsError(file, `cannot write dtype ${String(dtype)} (writable: F32, BF16)`);
  }
  const bytesPer = DTYPE_BYTES[dtype]!;
  const entries = entriesOf(tensors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (opts.metadata && Object.keys(opts.metadata).length > 0) header.__metadata__ = opts.metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === "" || name === "__metadata__")
      throw new SafetensorsError(file, "reserved or empty tensor name", name);
    if (!Array.isArray(t.shape) || !t.shape.every(isCount)) {
      throw new SafetensorsError(file, `bad shape ${JSON.stringify(t.shape)}`, name);
    }
    if (!(t.data instanceof Float32Array))
      throw new SafetensorsError(file, "data must be a Float32Array", name);
    const n = elementCount(t.shape);
    if (t.data.length !== n) {
      throw new SafetensorsError(
        file,
        `data has ${t.data.length} values but shape ${JSON.stringify(t.shape)} needs ${n}`,
        name,
      );
    }
    const raw =
      dtype === "F32"
        ? new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)
        : toBytes(float32ToBf16Bits(t.data));
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + n * bytesPer] };
    chunks.push(raw);
    offset += n * bytesPer;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, "utf8");
  json += " ".repeat((8 - (jsonBytes % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  writeFileAtomic(file, [prefix, headerBytes, ...chunks]);
}

function toBytes(a: Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** `model.safetensors.index.json`: which shard file holds each tensor. */
export interface SafetensorsIndex {
  file: string;
  metadata: Record<string, unknown>;
  weightMap: Map<string, string>;
}

export function readSafetensorsIndex(indexFile: string): SafetensorsIndex {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(indexFile, "utf8"));
  } catch (err) {
    throw new SafetensorsError(indexFile, `cannot read JSON: ${(err as Error).message}`);
  }
  if (!isObject(json) || !isObject(json.weight_map)) {
    throw new SafetensorsError(indexFile, `missing "weight_map" object`);
  }
  const dir = resolve(dirname(indexFile));
  const weightMap = new Map<string, string>();
  for (const [name, shard] of Object.entries(json.weight_map)) {
    if (typeof shard !== "string" || shard === "") {
      throw new SafetensorsError(
        indexFile,
        `weight_map value must be a file name, got ${JSON.stringify(shard)}`,
        name,
      );
    }
    const rel = relative(dir, resolve(dir, shard));
    if (rel.startsWith("..") || resolve(dir, shard) === dir) {
      throw new SafetensorsError(indexFile, `shard "${shard}" is outside the model directory`, name);
    }
    weightMap.set(name, shard);
  }
  return { file: indexFile, metadata: isObject(json.metadata) ? json.metadata : {}, weightMap };
}

/** Reads every tensor listed in a sharded checkpoint's index, shard by shard. */
export function readShardedSafetensors(indexFile: string): Map<string, LoadedTensor> {
  const index = readSafetensorsIndex(indexFile);
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of index.weightMap) {
    const list = byShard.get(shard) ?? [];
    list.push(name);
    byShard.set(shard, list);
  }
  const out = new Map<string, LoadedTensor>();
  for (const [shard, names] of byShard) {
    const shardFile = join(dirname(indexFile), shard);
    const header = readSafetensorsHeader(shardFile);
    for (const name of names) {
      if (!header.tensors.has(name)) {
        throw new SafetensorsError(shardFile, `listed in ${indexFile} but not in this shard`, name);
      }
    }
    for (const [name, t] of readSafetensors(shardFile, { names })) out.set(name, t);
  }
  return out;
}
