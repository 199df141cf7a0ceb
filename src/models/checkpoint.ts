// Training checkpoints: runs/<name>/checkpoints/step-N/
//   model.safetensors      weights (f32, HF names)
//   optimizer.safetensors  AdamW moments, named m.<param> and v.<param> (f32)
//   config.json            the model's HF config (so step-N is also a loadable HF model directory)
//   tokenizer files        optional copies (tokenizer.json, tokenizer_config.json, ...)
//   state.json             step, optimizer step, RNG state, free-form run state, and a manifest of the
//                          other files' byte sizes and sha256
// A checkpoint is written into a temp directory and renamed into place, so step-N either exists whole
// or not at all. Loading verifies the manifest and falls back to the previous checkpoint when the newest
// is damaged.
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { fsyncDir, writeJsonAtomic } from "../util/atomic.js";
import { type LlamaConfig, readHfConfig, toHfConfigJson } from "./config.js";
import { copyTokenizerFiles } from "./hf-model.js";
import { readSafetensors, type Tensor, writeSafetensors } from "./safetensors.js";

export const CHECKPOINT_FORMAT = "omni-thinker-checkpoint";
export const CHECKPOINT_VERSION = 1;
const STATE_FILE = "state.json";
const MODEL_FILE = "model.safetensors";
const OPTIMIZER_FILE = "optimizer.safetensors";
const CONFIG_FILE = "config.json";
const STEP_DIR = /^step-(\d+)$/;
const TEMP_DIR = /^\.tmp-step-(\d+)-(\d+)-/;

export interface OptimizerState {
  /** The optimizer's own step count (AdamW bias correction). */
  step: number;
  m: Map<string, Tensor>;
  v: Map<string, Tensor>;
}

export interface CheckpointData {
  /** Model weights by HF name. */
  tensors: Map<string, Tensor>;
  optimizer?: OptimizerState;
  /** Serializable RNG state(s), e.g. Rng.getState(). */
  rng?: unknown;
  /** Everything else a resume needs: scheduler, sampler, data cursor, judge cache pointer... (JSON). */
  state?: Record<string, unknown>;
  config?: LlamaConfig;
}

export interface LoadedCheckpoint {
  step: number;
  dir: string;
  tensors: Map<string, Tensor>;
  optimizer?: OptimizerState;
  rng: unknown;
  state: Record<string, unknown>;
  config?: LlamaConfig;
}

interface FileEntry {
  bytes: number;
  sha256: string;
}

interface StateFile {
  format: string;
  version: number;
  step: number;
  saved_at: string;
  optimizer_step: number | null;
  rng: unknown;
  state: Record<string, unknown>;
  files: Record<string, FileEntry>;
}

export interface CheckpointEntry {
  step: number;
  dir: string;
}

export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "CheckpointError";
  }
}

export function checkpointsDir(runDir: string): string {
  return join(runDir, "checkpoints");
}

export function checkpointDir(runDir: string, step: number): string {
  return join(checkpointsDir(runDir), `step-${step}`);
}

/** sha256 of a file, read in 8 MiB pieces. */
export function sha256File(file: string): string {
  const hash = createHash("sha256");
  const buf = Buffer.alloc(8 << 20);
  const fd = openSync(file, "r");
  try {
    let n = readSync(fd, buf, 0, buf.length, null);
    while (n > 0) {
      hash.update(buf.subarray(0, n));
      n = readSync(fd, buf, 0, buf.length, null);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function fileEntry(file: string): FileEntry {
  return { bytes: statSync(file).size, sha256: sha256File(file) };
}

/** True when the process that wrote a temp dir is still running (then its dir is not a leftover). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface SaveOptions {
  /** Keep only the newest K checkpoints (by step) after this save. Default: keep all. */
  keepLast?: number;
  /** Copy this directory's tokenizer files in too, so step-N is a complete HF model directory. */
  tokenizerDir?: string;
}

/**
 * Saves a checkpoint as `<runDir>/checkpoints/step-<step>/`, atomically: every file is written and
 * fsynced in a temp directory, which is then renamed into place. Returns the checkpoint directory.
 */
export function saveCheckpoint(
  runDir: string,
  step: number,
  data: CheckpointData,
  opts: SaveOptions = {},
): string {
  if (!Number.isSafeInteger(step) || step < 0) throw new CheckpointError(runDir, `bad step ${step}`);
  const root = checkpointsDir(runDir);
  mkdirSync(root, { recursive: true });
  removeDeadTempDirs(root);
  const tmp = join(root, `.tmp-step-${step}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(tmp);
  try {
    const files: Record<string, FileEntry> = {};
    writeSafetensors(join(tmp, MODEL_FILE), data.tensors, { dtype: "F32", metadata: { format: "pt" } });
    files[MODEL_FILE] = fileEntry(join(tmp, MODEL_FILE));
    if (data.optimizer) {
      const moments = new Map<string, Tensor>();
      for (const [name, t] of data.optimizer.m) moments.set(`m.${name}`, t);
      for (const [name, t] of data.optimizer.v) moments.set(`v.${name}`, t);
      writeSafetensors(join(tmp, OPTIMIZER_FILE), moments, { dtype: "F32" });
      files[OPTIMIZER_FILE] = fileEntry(join(tmp, OPTIMIZER_FILE));
    }
    if (data.config) {
      writeJsonAtomic(join(tmp, CONFIG_FILE), toHfConfigJson(data.config));
      files[CONFIG_FILE] = fileEntry(join(tmp, CONFIG_FILE));
    }
    if (opts.tokenizerDir !== undefined) {
      for (const name of copyTokenizerFiles(opts.tokenizerDir, tmp)) files[name] = fileEntry(join(tmp, name));
    }
    const stateFile: StateFile = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      step,
      saved_at: new Date().toISOString(),
      optimizer_step: data.optimizer?.step ?? null,
      rng: data.rng ?? null,
      state: data.state ?? {},
      files,
    };
    writeJsonAtomic(join(tmp, STATE_FILE), stateFile);
    fsyncDir(tmp);
    const final = checkpointDir(runDir, step);
    if (existsSync(final)) {
      // Re-saving a step (e.g. after resuming from an earlier one): move the old one aside first,
      // since a directory cannot be renamed over a non-empty one.
      const old = join(root, `.old-step-${step}-${process.pid}-${Date.now().toString(36)}`);
      renameSync(final, old);
      renameSync(tmp, final);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, final);
    }
    fsyncDir(root);
    if (opts.keepLast !== undefined) pruneCheckpoints(runDir, opts.keepLast);
    return final;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Temp dirs left by a writer that died mid-save; removed before the next save. */
function removeDeadTempDirs(root: string): void {
  for (const name of readdirSync(root)) {
    const m = TEMP_DIR.exec(name) ?? /^\.old-step-(\d+)-(\d+)-/.exec(name);
    if (m && !processAlive(Number(m[2]))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** Deletes all but the newest `keep` checkpoints. */
export function pruneCheckpoints(runDir: string, keep: number): void {
  if (!Number.isInteger(keep) || keep < 1)
    throw new CheckpointError(runDir, `keepLast must be >= 1, got ${keep}`);
  const all = listCheckpoints(runDir);
  for (const entry of all.slice(0, Math.max(0, all.length - keep))) {
    rmSync(entry.dir, { recursive: true, force: true });
  }
}

/** The `step-N` directories of a run, oldest first (not verified: see verifyCheckpoint). */
export function listCheckpoints(runDir: string): CheckpointEntry[] {
  const root = checkpointsDir(runDir);
  if (!existsSync(root)) return [];
  const out: CheckpointEntry[] = [];
  for (const name of readdirSync(root)) {
    const m = STEP_DIR.exec(name);
    if (m && statSync(join(root, name)).isDirectory())
      out.push({ step: Number(m[1]), dir: join(root, name) });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** Temp directories of unfinished saves (a writer was killed mid-save). */
export function listIncompleteSaves(runDir: string): string[] {
  const root = checkpointsDir(runDir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => TEMP_DIR.test(name))
    .map((name) => join(root, name));
}

function readStateFile(dir: string): StateFile {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) throw new CheckpointError(dir, `missing ${STATE_FILE} (incomplete checkpoint)`);
  let json: StateFile;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CheckpointError(file, `unreadable: ${(err as Error).message}`);
  }
  if (json?.format !== CHECKPOINT_FORMAT || typeof json.files !== "object" || typeof json.step !== "number") {
    throw new CheckpointError(file, `not an ${CHECKPOINT_FORMAT} state file`);
  }
  if (json.version > CHECKPOINT_VERSION) {
    throw new CheckpointError(
      file,
      `written by a newer version (format ${json.version} > ${CHECKPOINT_VERSION})`,
    );
  }
  return json;
}

/** Checks a checkpoint against its manifest (every file present, same size, same sha256). Throws if not. */
export function verifyCheckpoint(dir: string): void {
  const stateFile = readStateFile(dir);
  if (!stateFile.files[MODEL_FILE]) throw new CheckpointError(dir, `manifest lists no ${MODEL_FILE}`);
  for (const [name, expected] of Object.entries(stateFile.files)) {
    const file = join(dir, name);
    if (!existsSync(file)) throw new CheckpointError(file, "missing (listed in the manifest)");
    const bytes = statSync(file).size;
    if (bytes !== expected.bytes) {
      throw new CheckpointError(
        file,
        `size ${bytes} bytes, manifest says ${expected.bytes} (truncated or rewritten)`,
      );
    }
    const sha = sha256File(file);
    if (sha !== expected.sha256)
      throw new CheckpointError(file, `sha256 mismatch (corrupt): ${sha} != ${expected.sha256}`);
  }
}

/** Verifies and loads one checkpoint directory. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  verifyCheckpoint(dir);
  const stateFile = readStateFile(dir);
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of readSafetensors(join(dir, MODEL_FILE)))
    tensors.set(name, { shape: t.shape, data: t.data });
  let optimizer: OptimizerState | undefined;
  if (stateFile.files[OPTIMIZER_FILE]) {
    const m = new Map<string, Tensor>();
    const v = new Map<string, Tensor>();
    for (const [name, t] of readSafetensors(join(dir, OPTIMIZER_FILE))) {
      const target = name.startsWith("m.") ? m : name.startsWith("v.") ? v : undefined;
      if (!target)
        throw new CheckpointError(join(dir, OPTIMIZER_FILE), `unexpected tensor "${name}" (want m.* or v.*)`);
      target.set(name.slice(2), { shape: t.shape, data: t.data });
    }
    optimizer = { step: stateFile.optimizer_step ?? 0, m, v };
  }
  const config = stateFile.files[CONFIG_FILE] ? readHfConfig(dir) : undefined;
  return {
    step: stateFile.step,
    dir,
    tensors,
    optimizer,
    rng: stateFile.rng,
    state: stateFile.state,
    config,
  };
}

export interface LoadLatestOptions {
  /** Receives one message per skipped checkpoint or leftover temp dir. Default: console.warn. */
  onWarning?: (message: string) => void;
}

/**
 * Loads the newest checkpoint that verifies. Damaged ones (missing or truncated files, hash mismatch,
 * bad state.json) and temp dirs of unfinished saves are reported through onWarning and skipped.
 * Returns null when the run has no usable checkpoint.
 */
export function loadLatestCheckpoint(runDir: string, opts: LoadLatestOptions = {}): LoadedCheckpoint | null {
  const warn = opts.onWarning ?? ((message: string) => console.warn(message));
  for (const tmp of listIncompleteSaves(runDir)) {
    warn(`checkpoint: ignoring unfinished save ${tmp} (the writer stopped before renaming it into place)`);
  }
  const all = listCheckpoints(runDir);
  for (let i = all.length - 1; i >= 0; i--) {
    const entry = all[i]!;
    try {
      return loadCheckpoint(entry.dir);
    } catch (err) {
      const fallback = i > 0 ? `falling back to step ${all[i - 1]!.step}` : "no earlier checkpoint";
      warn(`checkpoint: skipping damaged step ${entry.step}: ${(err as Error).message}; ${fallback}`);
    }
  }
  return null;
}
