import assert from "node:assert/strict";
import { readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  float32ToBf16Bits,
  MAX_HEADER_BYTES,
  readSafetensors,
  readSafetensorsHeader,
  readShardedSafetensors,
  roundToBf16,
  SafetensorsError,
  type Tensor,
  writeSafetensors,
} from "../src/models/safetensors.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";

after(removeTempDirs);

/** A safetensors file from raw parts: header JSON (or raw text) and the data buffer. */
function craft(
  file: string,
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  headerLen?: bigint,
): string {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLen ?? BigInt(json.length));
  writeFileSync(file, Buffer.concat([prefix, json, data]));
  return file;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** Asserts that `fn` throws a SafetensorsError naming `file` (and `tensor`, if given) and matching `pattern`. */
function assertSafetensorsError(fn: () => unknown, file: string, pattern: RegExp, tensor?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SafetensorsError, `expected SafetensorsError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.ok(err.message.includes(file), err.message);
    if (tensor !== undefined) {
      assert.equal(err.tensor, tensor);
      assert.ok(err.message.includes(`"${tensor}"`), err.message);
    }
    assert.match(err.message, pattern);
    return true;
  });
}

test("F32 tensors round-trip bit-identically, with shapes and metadata", () => {
  const file = join(tempDir(), "a.safetensors");
  const tensors = new Map<string, Tensor>([
    [
      "w",
      { shape: [2, 3], data: new Float32Array([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-42, 3e38]) },
    ],
    ["b", { shape: [3], data: new Float32Array([0.1, 0.2, 0.3]) }],
    ["scalar", { shape: [], data: new Float32Array([7]) }],
    ["empty", { shape: [0, 4], data: new Float32Array(0) }],
  ]);
  writeSafetensors(file, tensors, { metadata: { format: "pt" } });
  const back = readSafetensors(file);
  assert.deepEqual([...back.keys()].sort(), ["b", "empty", "scalar", "w"]);
  for (const [name, t] of tensors) {
    const r = back.get(name)!;
    assert.equal(r.dtype, "F32");
    assert.deepEqual(r.shape, t.shape);
    assert.deepEqual(
      new Uint32Array(r.data.buffer, r.data.byteOffset, r.data.length),
      new Uint32Array(t.data.buffer),
    );
  }
  assert.deepEqual(readSafetensorsHeader(file).metadata, { format: "pt" });
});

test("the header is space-padded so the data buffer starts on an 8-byte boundary", () => {
  const file = join(tempDir(), "pad.safetensors");
  writeSafetensors(file, { x: { shape: [1], data: new Float32Array([1]) } });
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0);
  const header = readSafetensorsHeader(file);
  assert.equal(header.dataStart, 8 + n);
  assert.equal(header.dataLength, 4);
  assert.equal(bytes.length, 8 + n + 4);
  assert.match(bytes.subarray(8, 8 + n).toString("utf8"), /^\{.*\} *$/);
});

test("the same tensors give byte-identical files whatever their insertion order", () => {
  const dir = tempDir();
  const a = { shape: [2], data: new Float32Array([1, 2]) };
  const b = { shape: [1], data: new Float32Array([3]) };
  writeSafetensors(
    join(dir, "1.safetensors"),
    new Map([
      ["b", b],
      ["a", a],
    ]),
  );
  writeSafetensors(
    join(dir, "2.safetensors"),
    new Map([
      ["a", a],
      ["b", b],
    ]),
  );
  assert.deepEqual(readFileSync(join(dir, "1.safetensors")), readFileSync(join(dir, "2.safetensors")));
  assert.deepEqual([...readSafetensorsHeader(join(dir, "1.safetensors")).tensors.keys()], ["a", "b"]);
  assert.deepEqual(readdirSync(dir).sort(), ["1.safetensors", "2.safetensors"], "no temp files left behind");
});

test("f32 -> bf16 rounds to nearest, ties to even, and keeps NaN and infinities", () => {
  const bits = new Uint32Array([
    0x3f800000, // 1.0: exact
    0x3f808000, // halfway between 0x3f80 and 0x3f81: tie -> even 0x3f80
    0x3f818000, // halfway between 0x3f81 and 0x3f82: tie -> even 0x3f82
    0x3f808001, // just above halfway -> 0x3f81
    0x3f807fff, // just below halfway -> 0x3f80
    0xbf808001, // negative, above halfway -> 0xbf81
    0x7f800000, // +inf
    0xff800000, // -inf
    0x7fc00000, // NaN
    0x7f7fffff, // largest f32 rounds up to +inf
  ]);
  const out = float32ToBf16Bits(new Float32Array(bits.buffer));
  assert.deepEqual(
    [...out].map((x) => x.toString(16)),
    ["3f80", "3f80", "3f82", "3f81", "3f80", "bf81", "7f80", "ff80", "7fc0", "7f80"],
  );
  const nanOnly = float32ToBf16Bits(new Float32Array(new Uint32Array([0x7f800001]).buffer));
  assert.ok(
    Number.isNaN(new Float32Array(new Uint32Array([nanOnly[0]! << 16]).buffer)[0]),
    "signalling NaN stays NaN",
  );
});

test("BF16 files hold the bf16-rounded values and half the bytes", () => {
  const dir = tempDir();
  const data = new Float32Array([Math.PI, -Math.E, 1e-3, 12345.678, 0]);
  writeSafetensors(join(dir, "f32.safetensors"), { x: { shape: [5], data } });
  writeSafetensors(join(dir, "bf16.safetensors"), { x: { shape: [5], data } }, { dtype: "BF16" });
  const back = readSafetensors(join(dir, "bf16.safetensors")).get("x")!;
  assert.equal(back.dtype, "BF16");
  assert.deepEqual(back.data, roundToBf16(data));
  assert.deepEqual([...back.data], [3.140625, -2.71875, 0.00099945068359375, 12352, 0]);
  for (let i = 0; i < data.length; i++)
    assert.ok(Math.abs(back.data[i]! - data[i]!) <= Math.abs(data[i]!) * 2 ** -8);
  assert.equal(readSafetensorsHeader(join(dir, "bf16.safetensors")).dataLength, 10);
});

test("F16 tensors are read and widened to f32 exactly, including subnormals, infinities and NaN", () => {
  const file = join(tempDir(), "f16.safetensors");
  const halves = new Uint16Array([
    0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x7c00, 0xfc00, 0x7e00,
  ]);
  craft(file, { h: { dtype: "F16", shape: [3, 4], data_offsets: [0, 24] } }, new Uint8Array(halves.buffer));
  const t = readSafetensors(file).get("h")!;
  assert.equal(t.dtype, "F16");
  assert.deepEqual(t.shape, [3, 4]);
  const expected = [
    0,
    -0,
    1,
    -2,
    65504,
    2 ** -24,
    1023 * 2 ** -24,
    2 ** -14,
    0.333251953125,
    Infinity,
    -Infinity,
  ];
  expected.forEach((v, i) => {
    assert.ok(Object.is(t.data[i], v), `f16 ${halves[i]!.toString(16)} -> ${t.data[i]} != ${v}`);
  });
  assert.ok(Number.isNaN(t.data[11]));
});

test("a file of mixed dtypes reads each tensor by its own dtype; `names` reads a subset", () => {
  const file = join(tempDir(), "mixed.safetensors");
  const data = new Uint8Array([...f32Bytes([2.5]), 0x80, 0x3f, 0x00, 0x3c]);
  craft(
    file,
    {
      __metadata__: { note: "hand made" },
      a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
      b: { dtype: "BF16", shape: [1], data_offsets: [4, 6] },
      c: { dtype: "F16", shape: [1], data_offsets: [6, 8] },
    },
    data,
  );
  const all = readSafetensors(file);
  assert.deepEqual(
    [...all.values()].map((t) => [t.dtype, t.data[0]]),
    [
      ["F32", 2.5],
      ["BF16", 1],
      ["F16", 1],
    ],
  );
  assert.deepEqual([...readSafetensors(file, { names: ["c"] }).keys()], ["c"]);
  assertSafetensorsError(() => readSafetensors(file, { names: ["zz"] }), file, /not in this file/, "zz");
});

test("malformed files are rejected with errors naming the file and the tensor", () => {
  const dir = tempDir();
  const f = (name: string) => join(dir, name);
  const one = (entry: unknown) => ({ t: entry });

  writeFileSync(f("short"), Buffer.from([1, 2, 3]));
  assertSafetensorsError(() => readSafetensors(f("short")), f("short"), /truncated: 3 bytes/);

  craft(f("huge"), "{}", undefined, BigInt(MAX_HEADER_BYTES) + 1n);
  assertSafetensorsError(() => readSafetensors(f("huge")), f("huge"), /exceeds the 100000000-byte limit/);

  craft(f("past-end"), "{}", undefined, 4096n);
  assertSafetensorsError(
    () => readSafetensors(f("past-end")),
    f("past-end"),
    /header length 4096 runs past the end/,
  );

  craft(f("tiny-len"), "{}", undefined, 1n);
  assertSafetensorsError(() => readSafetensors(f("tiny-len")), f("tiny-len"), /bad header length 1/);

  craft(f("json"), '{"t": {"dtype": "F32",');
  assertSafetensorsError(() => readSafetensors(f("json")), f("json"), /invalid JSON header/);

  craft(f("array"), "[1,2]");
  assertSafetensorsError(() => readSafetensors(f("array")), f("array"), /invalid JSON header: not an object/);

  craft(f("dtype"), one({ dtype: "F33", shape: [1], data_offsets: [0, 4] }), f32Bytes([1]));
  assertSafetensorsError(() => readSafetensors(f("dtype")), f("dtype"), /unknown dtype "F33"/, "t");

  craft(f("int"), one({ dtype: "I64", shape: [1], data_offsets: [0, 8] }), new Uint8Array(8));
  assert.equal(
    readSafetensorsHeader(f("int")).tensors.get("t")!.dtype,
    "I64",
    "the header of a valid int file reads",
  );
  assertSafetensorsError(() => readSafetensors(f("int")), f("int"), /unsupported dtype I64/, "t");

  craft(f("size"), one({ dtype: "F32", shape: [2, 2], data_offsets: [0, 12] }), new Uint8Array(16));
  assertSafetensorsError(
    () => readSafetensors(f("size")),
    f("size"),
    /span 12 bytes but shape \[2,2\] x F32 needs 16/,
    "t",
  );

  craft(f("range"), one({ dtype: "F32", shape: [2], data_offsets: [4, 12] }), new Uint8Array(8));
  assertSafetensorsError(
    () => readSafetensors(f("range")),
    f("range"),
    /data ends at byte 12 but the data buffer has 8 bytes/,
    "t",
  );

  craft(f("reversed"), one({ dtype: "F32", shape: [1], data_offsets: [8, 4] }), new Uint8Array(8));
  assertSafetensorsError(
    () => readSafetensors(f("reversed")),
    f("reversed"),
    /data_offsets must be \[begin, end\]/,
    "t",
  );

  craft(f("shape"), one({ dtype: "F32", shape: [-1], data_offsets: [0, 4] }), new Uint8Array(4));
  assertSafetensorsError(
    () => readSafetensors(f("shape")),
    f("shape"),
    /shape must be an array of non-negative integers/,
    "t",
  );

  craft(
    f("overlap"),
    {
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
    },
    new Uint8Array(12),
  );
  assertSafetensorsError(() => readSafetensors(f("overlap")), f("overlap"), /overlap tensor "a"/, "b");

  craft(f("meta"), { __metadata__: { n: 3 } });
  assertSafetensorsError(
    () => readSafetensors(f("meta")),
    f("meta"),
    /__metadata__ must be an object of string -> string/,
  );

  assertSafetensorsError(() => readSafetensors(f("absent")), f("absent"), /cannot open/);
});

test("a truncated file is reported with the tensor whose data is cut off", () => {
  const file = join(tempDir(), "cut.safetensors");
  writeSafetensors(file, {
    a: { shape: [4], data: new Float32Array(4) },
    b: { shape: [4], data: new Float32Array(4) },
  });
  const size = readFileSync(file).length;
  truncateSync(file, size - 3);
  assertSafetensorsError(
    () => readSafetensors(file),
    file,
    /truncated or out of range: data ends at byte 32/,
    "b",
  );
});

test("writing refuses data that does not match the shape, and reserved names", () => {
  const file = join(tempDir(), "bad.safetensors");
  assertSafetensorsError(
    () => writeSafetensors(file, { w: { shape: [2, 2], data: new Float32Array(3) } }),
    file,
    /data has 3 values but shape \[2,2\] needs 4/,
    "w",
  );
  assertSafetensorsError(
    () => writeSafetensors(file, { __metadata__: { shape: [1], data: new Float32Array(1) } }),
    file,
    /reserved/,
    "__metadata__",
  );
});

test("a sharded checkpoint is read through its index; a tensor missing from its shard is named", () => {
  const dir = tempDir();
  writeSafetensors(join(dir, "model-00001-of-00002.safetensors"), {
    a: { shape: [1], data: new Float32Array([1]) },
  });
  writeSafetensors(join(dir, "model-00002-of-00002.safetensors"), {
    b: { shape: [2], data: new Float32Array([2, 3]) },
  });
  const index = join(dir, "model.safetensors.index.json");
  const weightMap = { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" };
  writeFileSync(index, JSON.stringify({ metadata: { total_size: 12 }, weight_map: weightMap }));
  const all = readShardedSafetensors(index);
  assert.deepEqual([...all.keys()].sort(), ["a", "b"]);
  assert.deepEqual([...all.get("b")!.data], [2, 3]);

  writeFileSync(
    index,
    JSON.stringify({ weight_map: { ...weightMap, c: "model-00001-of-00002.safetensors" } }),
  );
  assertSafetensorsError(
    () => readShardedSafetensors(index),
    join(dir, "model-00001-of-00002.safetensors"),
    /listed in .*index\.json but not in this shard/,
    "c",
  );

  writeFileSync(index, JSON.stringify({ weight_map: { a: "../elsewhere.safetensors" } }));
  assertSafetensorsError(() => readShardedSafetensors(index), index, /outside the model directory/, "a");

  writeFileSync(index, JSON.stringify({ metadata: {} }));
  assertSafetensorsError(() => readShardedSafetensors(index), index, /missing "weight_map"/);
});
