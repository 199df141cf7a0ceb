// What a sandbox runs and what it reports back. Shared by the local sandbox and the SandboxFusion client.

export interface RunRequest {
  /** Python source, run as the main script (`main.py` in the work directory). */
  code: string;
  stdin?: string;
  /** Wall-clock limit for this run; the runner's default when absent. */
  timeoutMs?: number;
  /** Extra files placed in the work directory, by relative path. */
  files?: Record<string, string>;
  /** Aborting kills the run; it then reports `killed` with `details.reason: "aborted"`. */
  signal?: AbortSignal;
}

/**
 * - `ok`: the program exited with status 0.
 * - `runtime_error`: it exited non-zero, or died by a signal other than those below.
 * - `timeout`: the wall-clock limit (the runner killed it) or the CPU-time limit (SIGXCPU) was reached.
 * - `output_limit`: stdout or stderr went past `max_output_bytes`; the runner killed it.
 * - `killed`: SIGKILL that the runner did not send (the hard CPU limit, the OOM killer), or an abort.
 * - `sandbox_error`: the sandbox itself failed (could not start, remote service error): says nothing
 *   about the code.
 */
export type RunStatus = "ok" | "runtime_error" | "timeout" | "output_limit" | "killed" | "sandbox_error";

export interface RunResult {
  status: RunStatus;
  /** Exit status; for a death by signal N, 128 + N. Null when there was none (sandbox_error). */
  exitCode: number | null;
  /** Output, each cut at the runner's output limit. */
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
  /** Which isolation ran it, notes on weaker isolation, the reason for a kill, the sandbox's error. */
  details: Record<string, unknown>;
}

export interface CodeRunner {
  /** "local:bwrap", "local:unshare", "local:none" (after the first run) or "sandbox_fusion". */
  readonly kind: string;
  run(req: RunRequest): Promise<RunResult>;
  close?(): Promise<void>;
}

export function sandboxError(
  message: string,
  durationMs = 0,
  details: Record<string, unknown> = {},
): RunResult {
  return {
    status: "sandbox_error",
    exitCode: null,
    stdout: "",
    stderr: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    durationMs,
    details: { ...details, error: message },
  };
}

/** Relative, normalized, no `..`, not the main script: the file names a request may use. */
export function checkFileName(name: string): string | null {
  if (name === "" || name.startsWith("/") || name.includes("\0")) return "must be a non-empty relative path";
  const parts = name.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".."))
    return "must not contain '', '.' or '..' segments";
  if (name === "main.py") return "main.py is the program itself";
  return null;
}
