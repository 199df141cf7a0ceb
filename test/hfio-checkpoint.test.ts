import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { ByteTokenizer } from "../src/models/byte-tokenizer.js";
import {
  type CheckpointData,
  checkpointDir,
  listCheckpoints,
  loadCheckpoint,
  loadLatestCheckpoint,
  saveCheckpoint,
  verifyCheckpoint,
} from "../src/models/checkpoint.js";
import { readHfModelDir } from "../src/models/hf-model.js";
import type { Tensor } from "../src/models/safetensors.js";
import { loadTokenizer } from "../src/models/tokenizer.js";
import { writeFileAtomic, writeJsonAtomic } from "../src/util/atomic.js";
import { randomWeights, tinyTiedLlamaConfig } from "./helpers/hfio-fixtures.js";
import { removeTempDirs, tempDir } from "./helpers/temp-dir.js";

after(removeTempDirs);

function scaled(tensors: Map<string, Tensor>, k: number): Map<string, Tensor> {
  return new Map([...tensors].map(([n, t]) => [n, { shape: t.shape, data: t.data.map((x) => x * k) }]));
}

/** Checkpoint contents for step `step`: weights, AdamW moments, an RNG state and a data cursor. */
function checkpointAt(step: number): CheckpointData {
  const config = tinyTiedLlamaConfig();
  const weights = randomWeights(config, step);
  const rng = new Rng(step);
  rng.next();
  return {
    tensors: weights,
    optimizer: { step, m: scaled(weights, 0.1), v: scaled(weights, 0.01) },
    rng: rng.getState(),
    state: { data_cursor: { math: step * 8 }, scheduler: { stage: 1 }, judge_cache: "cache.jsonl#120" },
    config,
  };
}

function saveSteps(runDir: string, steps: number[]): void {
  for (const step of steps) saveCheckpoint(runDir, step, checkpointAt(step));
}

function collectWarnings(runDir: string) {
  const warnings: string[] = [];
  const loaded = loadLatestCheckpoint(runDir, { onWarning: (m) => warnings.push(m) });
  return { loaded, warnings };
}

test("a saved checkpoint loads back with identical weights, optimizer moments, RNG and run state", () => {
  const runDir = tempDir();
  const data = checkpointAt(20);
  const dir = saveCheckpoint(runDir, 20, data);
  assert.equal(dir, checkpointDir(runDir, 20));
  assert.deepEqual(readdirSync(dir).sort(), [
    "config.json",
    "model.safetensors",
    "optimizer.safetensors",
    "state.json",
  ]);
  const back = loadCheckpoint(dir);
  assert.equal(back.step, 20);
  assert.deepEqual(back.tensors, data.tensors);
  assert.equal(back.optimizer!.step, 20);
  assert.deepEqual(back.optimizer!.m, data.optimizer!.m);
  assert.deepEqual(back.optimizer!.v, data.optimizer!.v);
  assert.deepEqual(back.rng, data.rng);
  assert.deepEqual(back.state, data.state);
  assert.deepEqual(back.config, { ...data.config, torch_dtype: "float32" });
  // The restored RNG continues the same stream.
  const a = new Rng(0);
  a.setState(data.rng as [number, number, number, number]);
  const b = new Rng(0);
  b.setState(back.rng as [number, number, number, number]);
  assert.equal(a.nextU32(), b.nextU32());
  // A checkpoint directory is also a HF model directory.
  assert.deepEqual(readHfModelDir(dir).tensors, data.tensors);
  // The manifest records size and sha256 of every other file.
  const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
  assert.equal(state.files["model.safetensors"].bytes, readFileSync(join(dir, "model.safetensors")).length);
  assert.match(state.files["optimizer.safetensors"].sha256, /^[0-9a-f]{64}$/);
});

test("with tokenizerDir a checkpoint is a complete HF model directory, its tokenizer files verified too", () => {
  const runDir = tempDir();
  const tokDir = tempDir();
  new ByteTokenizer().writeHfFiles(tokDir);
  const dir = saveCheckpoint(runDir, 1, checkpointAt(1), { tokenizerDir: tokDir });
  assert.equal(loadTokenizer(dir).encode("hi").length, 2);
  writeFileSync(join(dir, "tokenizer.json"), "{}");
  assert.throws(() => verifyCheckpoint(dir), /tokenizer\.json: size 2 bytes/);
});

test("the latest checkpoint is the highest step, and keepLast prunes older ones", () => {
  const runDir = tempDir();
  saveSteps(runDir, [5, 10, 100]);
  assert.deepEqual(
    listCheckpoints(runDir).map((c) => c.step),
    [5, 10, 100],
    "sorted numerically, not as text",
  );
  assert.equal(collectWarnings(runDir).loaded!.step, 100);
  saveCheckpoint(runDir, 150, checkpointAt(150), { keepLast: 2 });
  assert.deepEqual(
    listCheckpoints(runDir).map((c) => c.step),
    [100, 150],
  );
  assert.equal(loadLatestCheckpoint(tempDir()), null, "a run without checkpoints has none to load");
});

test("re-saving an existing step replaces it whole", () => {
  const runDir = tempDir();
  saveCheckpoint(runDir, 3, checkpointAt(3));
  saveCheckpoint(runDir, 3, checkpointAt(4));
  const back = loadCheckpoint(checkpointDir(runDir, 3));
  assert.deepEqual(back.tensors, checkpointAt(4).tensors);
  assert.deepEqual(readdirSync(join(runDir, "checkpoints")), ["step-3"], "no temp or old directories left");
});

const corruptions: [string, (dir: string) => void, RegExp][] = [
  [
    "a truncated weights file",
    (d) => truncateSync(join(d, "model.safetensors"), 100),
    /model\.safetensors: size 100 bytes, manifest says \d+/,
  ],
  [
    "a flipped byte (same size)",
    (d) => {
      const file = join(d, "optimizer.safetensors");
      const bytes = readFileSync(file);
      bytes[bytes.length - 1]! ^= 0xff;
      writeFileSync(file, bytes);
    },
    /optimizer\.safetensors: sha256 mismatch/,
  ],
  [
    "a missing optimizer file",
    (d) => rmSync(join(d, "optimizer.safetensors")),
    /optimizer\.safetensors: missing/,
  ],
  ["a missing state.json", (d) => rmSync(join(d, "state.json")), /missing state\.json/],
  [
    "a torn state.json",
    (d) => writeFileSync(join(d, "state.json"), '{"format": "omni-'),
    /state\.json: unreadable/,
  ],
];

for (const [what, corrupt, pattern] of corruptions) {
  test(`${what} in the newest checkpoint is reported and the previous good one is loaded`, () => {
    const runDir = tempDir();
    saveSteps(runDir, [10, 20]);
    corrupt(checkpointDir(runDir, 20));
    assert.throws(() => verifyCheckpoint(checkpointDir(runDir, 20)), pattern);
    const { loaded, warnings } = collectWarnings(runDir);
    assert.equal(loaded!.step, 10);
    assert.deepEqual(loaded!.tensors, checkpointAt(10).tensors);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /skipping damaged step 20/);
    assert.match(warnings[0]!, pattern);
    assert.match(warnings[0]!, /falling back to step 10/);
  });
}

test("a temp directory left by a killed save is warned about and never loaded", () => {
  const runDir = tempDir();
  saveSteps(runDir, [10]);
  // A save of step 30 whose writer (a pid that cannot exist) died before the rename.
  const leftover = join(runDir, "checkpoints", ".tmp-step-30-999999999-abc");
  mkdirSync(leftover);
  writeFileSync(join(leftover, "model.safetensors"), "partial");
  const { loaded, warnings } = collectWarnings(runDir);
  assert.equal(loaded!.step, 10);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /ignoring unfinished save .*\.tmp-step-30-999999999-abc/);
  // The next save clears it away.
  saveCheckpoint(runDir, 40, checkpointAt(40));
  assert.equal(existsSync(leftover), false);
});

test("when every checkpoint is damaged, loading returns null after warning about each", () => {
  const runDir = tempDir();
  saveSteps(runDir, [1, 2]);
  for (const step of [1, 2]) rmSync(join(checkpointDir(runDir, step), "model.safetensors"));
  const { loaded, warnings } = collectWarnings(runDir);
  assert.equal(loaded, null);
  assert.equal(warnings.length, 2);
  assert.match(warnings[1]!, /step 1: .*no earlier checkpoint/);
});

test("atomic writes replace a file whole and leave no temp files", () => {
  const dir = tempDir();
  const file = join(dir, "x.json");
  writeJsonAtomic(file, { a: 1 });
  writeFileAtomic(file, [Buffer.from('{"a":'), Buffer.from("2}")]);
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { a: 2 });
  assert.deepEqual(readdirSync(dir), ["x.json"]);
  assert.throws(() => writeFileAtomic(join(dir, "missing-dir", "y"), "z"), /ENOENT/);
});
