// The local sandbox: runs untrusted Python under bwrap (or a weaker fallback), with rlimits, a per-run uid,
// a wall-clock kill of the whole process group, bounded output capture and bounded concurrency.
import { type ChildProcess, spawn } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { z } from "zod";
import { LocalSandboxConfig } from "./config.js";
import {
  BWRAP_WORK_DIR,
  bwrapArgs,
  countProcessesOfUid,
  findExecutable,
  type Isolation,
  type Limits,
  NOTES,
  prlimitArgs,
  unshareArgs,
} from "./isolation.js";
import { createLauncherSandbox } from "./launcher.js";
import { Semaphore } from "./semaphore.js";
import { type CodeRunner, checkFileName, type RunRequest, type RunResult, sandboxError } from "./types.js";

const SIGXCPU = osConstants.signals.SIGXCPU;
const SIGKILL = osConstants.signals.SIGKILL;
/** Extra fds handed to bwrap: its JSON status, then one pipe per file to copy into the work dir. */
const STATUS_FD = 3;
const FIRST_FILE_FD = 4;

interface Tools {
  prlimit: string;
  bwrap: string | null;
  unshare: string | null;
}

interface Chosen {
  mode: Isolation;
  tools: Tools;
  /** Added to max_processes when the parent is not root (RLIMIT_NPROC then counts its own processes). */
  nprocExtra: number;
}

export interface LocalSandbox extends CodeRunner {
  /** Resolves which isolation this machine supports (probing once); rejects when none is allowed. */
  ready(): Promise<{ mode: Isolation; note: string }>;
  close(): Promise<void>;
}

/** Accepts the YAML-shaped config (snake_case, defaults filled in); `kind` may be left out. */
export function createLocalSandbox(
  input: Omit<z.input<typeof LocalSandboxConfig>, "kind"> & { kind?: "local" } = {},
): LocalSandbox {
  const cfg = LocalSandboxConfig.parse({ ...input, kind: "local" });
  if (cfg.launcher === "helper") return createLauncherSandbox(cfg);
  const semaphore = new Semaphore(cfg.concurrency);
  const isRoot = process.getuid?.() === 0;
  let runCounter = 0;
  let chosen: Promise<Chosen> | null = null;
  let kind = "local";

  function nextUid(): number | null {
    return isRoot ? cfg.uid_base + (runCounter++ % cfg.uid_count) : null;
  }

  function limitsFor(timeoutMs: number, nprocExtra: number): Limits {
    return {
      cpuSeconds: cfg.cpu_seconds ?? Math.max(1, Math.ceil(timeoutMs / 1000)),
      memoryBytes: cfg.memory_bytes,
      fileSizeBytes: cfg.file_size_bytes,
      maxProcesses: cfg.max_processes + nprocExtra,
      maxOpenFiles: cfg.max_open_files,
    };
  }

  async function runIn(
    mode: Isolation,
    tools: Tools,
    nprocExtra: number,
    req: RunRequest,
  ): Promise<RunResult> {
    const timeoutMs = req.timeoutMs ?? cfg.timeout_ms;
    const files: [string, string][] = [["main.py", req.code], ...Object.entries(req.files ?? {})];
    const limits = prlimitArgs(limitsFor(timeoutMs, nprocExtra));
    const python = [cfg.python, ...cfg.python_args, "main.py"];
    const uid = nextUid();
    const started = performance.now();

    if (mode === "bwrap") {
      const env = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: BWRAP_WORK_DIR, LANG: "C.UTF-8" };
      const names = files.map(([n]) => n);
      const args = [...limits, "--", tools.bwrap!, ...bwrapArgs(cfg, env, names, STATUS_FD, FIRST_FILE_FD)];
      // A setup failure (e.g. a previous run's processes on a reused uid still being torn down) is retried.
      for (let attempt = 0; ; attempt++) {
        const out = await execute(tools.prlimit, [...args, ...python], {
          uid,
          cwd: "/",
          env,
          stdin: req.stdin,
          fdContents: files.map(([, c]) => c),
          timeoutMs,
          maxOutputBytes: cfg.max_output_bytes,
          signal: req.signal,
          withStatusFd: true,
        });
        if (out.status !== "sandbox_error" || attempt >= 2) return finish(out, mode, started);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    // unshare / none: a fresh host directory as the work dir, removed afterwards.
    const dir = mkdtempSync(join(tmpdir(), "omni-sbx-"));
    try {
      for (const [name, content] of files) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      if (uid !== null) chownTree(dir, files, uid);
      const env = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" };
      const command = mode === "unshare" ? [tools.unshare!, ...unshareArgs(), ...python] : python;
      const out = await execute(tools.prlimit, [...limits, "--", ...command], {
        uid,
        cwd: dir,
        env,
        stdin: req.stdin,
        fdContents: [],
        timeoutMs,
        maxOutputBytes: cfg.max_output_bytes,
        signal: req.signal,
        withStatusFd: false,
      });
      return finish(out, mode, started);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  function finish(out: RunResult, mode: Isolation, started: number): RunResult {
    out.durationMs = performance.now() - started;
    out.details = { isolation: mode, ...(mode === "bwrap" ? {} : { note: NOTES[mode] }), ...out.details };
    return out;
  }

  async function probe(): Promise<Chosen> {
    const prlimit = findExecutable("prlimit");
    if (!prlimit)
      throw new Error("prlimit (util-linux) not found on PATH: the local sandbox needs it for rlimits");
    const tools: Tools = { prlimit, bwrap: findExecutable("bwrap"), unshare: findExecutable("unshare") };
    const nprocExtra = isRoot ? 0 : countProcessesOfUid(process.getuid?.() ?? -1);
    const wanted: Isolation[] =
      cfg.isolation === "auto"
        ? ["bwrap", "unshare", ...(cfg.allow_unsandboxed ? (["none"] as const) : [])]
        : [cfg.isolation];
    if (cfg.isolation === "none" && !cfg.allow_unsandboxed) {
      throw new Error("isolation: none requires allow_unsandboxed: true");
    }
    const failures: string[] = [];
    for (const mode of wanted) {
      if (mode !== "none" && !tools[mode]) {
        failures.push(`${mode}: not found on PATH`);
        continue;
      }
      const out = await runIn(mode, tools, nprocExtra, {
        code: "import sys\nsys.exit(0)\n",
        timeoutMs: 10000,
      });
      if (out.status === "ok") return { mode, tools, nprocExtra };
      failures.push(
        `${mode}: ${out.status} ${String(out.details.error ?? out.stderr)
          .trim()
          .slice(0, 300)}`,
      );
    }
    throw new Error(
      `no usable sandbox (${failures.join("; ")})` +
        (cfg.allow_unsandboxed ? "" : "; set allow_unsandboxed: true to run without isolation"),
    );
  }

  function ready(): Promise<Chosen> {
    chosen ??= probe().then((c) => {
      kind = `local:${c.mode}`;
      return c;
    });
    return chosen;
  }

  return {
    get kind() {
      return kind;
    },
    async ready() {
      const c = await ready();
      return { mode: c.mode, note: NOTES[c.mode] };
    },
    run(req: RunRequest): Promise<RunResult> {
      for (const name of Object.keys(req.files ?? {})) {
        const problem = checkFileName(name);
        if (problem) return Promise.resolve(sandboxError(`files: ${JSON.stringify(name)} ${problem}`));
      }
      return semaphore.use(async () => {
        let c: Chosen;
        try {
          c = await ready();
        } catch (err) {
          return sandboxError((err as Error).message);
        }
        try {
          return await runIn(c.mode, c.tools, c.nprocExtra, req);
        } catch (err) {
          return sandboxError(`local sandbox: ${(err as Error).message}`);
        }
      });
    },
    async close() {},
  };
}

function chownTree(dir: string, files: [string, string][], uid: number): void {
  chownSync(dir, uid, uid);
  for (const [name] of files) {
    const parts = name.split("/");
    for (let i = 1; i <= parts.length; i++) chownSync(join(dir, ...parts.slice(0, i)), uid, uid);
  }
}

interface ExecuteOptions {
  uid: number | null;
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  /** Written to fds FIRST_FILE_FD.. (bwrap copies them into the sandbox). */
  fdContents: string[];
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** bwrap reports setup success (child-pid) and the exit code on STATUS_FD. */
  withStatusFd: boolean;
}

/** Collects a stream up to `cap` bytes; reports when the cap is passed. */
class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  /** Returns false once the cap has been passed. */
  push(chunk: Buffer): boolean {
    const room = this.cap - this.bytes;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.bytes = this.cap;
      this.truncated = true;
      return false;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

type KillReason = "timeout" | "output_limit" | "aborted";

function execute(file: string, args: string[], o: ExecuteOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const extraFds = o.withStatusFd ? 1 + o.fdContents.length : 0;
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: o.cwd,
        env: o.env,
        detached: true, // own process group, killed as a whole
        stdio: Array.from({ length: 3 + extraFds }, () => "pipe"),
        ...(o.uid === null ? {} : { uid: o.uid, gid: o.uid }),
      });
    } catch (err) {
      resolve(sandboxError(`spawn ${file}: ${(err as Error).message}`));
      return;
    }
    const stdout = new BoundedBuffer(o.maxOutputBytes);
    const stderr = new BoundedBuffer(o.maxOutputBytes);
    let status = "";
    let killReason: KillReason | null = null;
    let spawnError: Error | null = null;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;

    const killGroup = (reason: KillReason) => {
      killReason ??= reason;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => killGroup("timeout"), o.timeoutMs);
    const onAbort = () => killGroup("aborted");
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener("abort", onAbort);

    child.on("error", (err) => {
      spawnError = err;
      done();
    });
    child.stdout!.on("data", (c: Buffer) => stdout.push(c) || killGroup("output_limit"));
    child.stderr!.on("data", (c: Buffer) => stderr.push(c) || killGroup("output_limit"));
    if (o.withStatusFd) {
      (child.stdio[STATUS_FD] as Readable).on("data", (c: Buffer) => {
        if (status.length < 4096) status += c.toString("utf8");
      });
    }
    const feed = (stream: Writable | null | undefined, text: string | undefined) => {
      if (!stream) return;
      stream.on("error", () => {}); // EPIPE when the program does not read: not our concern
      stream.end(text ?? "");
    };
    feed(child.stdin, o.stdin);
    o.fdContents.forEach((content, i) => {
      feed(child.stdio[FIRST_FILE_FD + i] as Writable, content);
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // Normally "close" follows at once; if something escaped and holds the pipes (only possible
      // without a pid namespace), stop waiting for it.
      setTimeout(() => {
        for (const s of child.stdio) s?.destroy();
        done();
      }, 200).unref();
    });
    child.on("close", () => done());

    function done() {
      if (settled || (!exit && !spawnError)) return;
      settled = true;
      void waitForNamespaceEnd(status).then(report);
    }

    function report() {
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      const base = {
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
        durationMs: 0,
      };
      if (spawnError) {
        resolve(sandboxError(`spawn ${file}: ${spawnError.message}`));
        return;
      }
      const exitCode = exitCodeOf(exit!, status, o.withStatusFd);
      if (o.withStatusFd && !status.includes('"child-pid"') && killReason === null) {
        // bwrap never started the program: its own error is on stderr.
        resolve({
          ...sandboxError(`bwrap failed: ${base.stderr.trim().slice(0, 500)}`),
          ...base,
          status: "sandbox_error",
        });
        return;
      }
      if (killReason === "timeout")
        resolve({ ...base, status: "timeout", exitCode, details: { reason: "wall_clock" } });
      else if (killReason === "output_limit")
        resolve({ ...base, status: "output_limit", exitCode, details: {} });
      else if (killReason === "aborted")
        resolve({ ...base, status: "killed", exitCode, details: { reason: "aborted" } });
      else if (exitCode === 0) resolve({ ...base, status: "ok", exitCode, details: {} });
      else if (exitCode === 128 + SIGXCPU) {
        resolve({ ...base, status: "timeout", exitCode, details: { reason: "cpu_limit" } });
      } else if (exitCode === 128 + SIGKILL) {
        resolve({
          ...base,
          status: "killed",
          exitCode,
          details: { reason: "SIGKILL (hard CPU limit or OOM)" },
        });
      } else resolve({ ...base, status: "runtime_error", exitCode, details: {} });
    }
  });
}

/**
 * bwrap exits as soon as its pid-1 reaper reports the program's status, a moment before that reaper exits
 * and the kernel kills what is left in the pid namespace. Waiting for the reaper (bwrap's "child-pid") to
 * become a zombie or vanish makes "run returned" imply "every process of the run is dead".
 */
async function waitForNamespaceEnd(status: string): Promise<void> {
  const pid = /"child-pid"\s*:\s*(\d+)/.exec(status)?.[1];
  if (!pid) return;
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    let state: string;
    try {
      state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "X";
    } catch {
      return; // gone
    }
    if (state === "Z" || state === "X") return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** bwrap's own JSON status carries the program's exit code (128 + N for a signal); otherwise the child's. */
function exitCodeOf(
  exit: { code: number | null; signal: NodeJS.Signals | null },
  status: string,
  withStatusFd: boolean,
): number | null {
  if (withStatusFd) {
    const m = /"exit-code"\s*:\s*(\d+)/.exec(status);
    if (m) return Number(m[1]);
  }
  if (exit.signal) return 128 + (osConstants.signals[exit.signal] ?? 0);
  return exit.code;
}
