// Client for a SandboxFusion server (`POST {url}/run_code`), mapped onto the same RunResult as the local sandbox.
// Retries connection errors, HTTP timeouts and 5xx with exponential backoff; a 4xx or a SandboxError is final.
import { z } from "zod";
import { SandboxFusionConfig } from "./config.js";
import { Semaphore } from "./semaphore.js";
import { type CodeRunner, checkFileName, type RunRequest, type RunResult, sandboxError } from "./types.js";

/** The response fields we read; SandboxFusion sends more. */
const RunCodeResponse = z.looseObject({
  status: z.string(),
  message: z.string().nullish(),
  run_result: z
    .looseObject({
      status: z.string(),
      return_code: z.number().nullish(),
      stdout: z.string().nullish(),
      stderr: z.string().nullish(),
      execution_time: z.number().nullish(),
    })
    .nullish(),
});
type RunCodeResponse = z.output<typeof RunCodeResponse>;

class RetryableError extends Error {}

/** Accepts the YAML-shaped config (snake_case, defaults filled in); `kind` may be left out. */
export function createSandboxFusionClient(
  input: Omit<z.input<typeof SandboxFusionConfig>, "kind"> & { kind?: "sandbox_fusion" },
): CodeRunner {
  const cfg = SandboxFusionConfig.parse({ ...input, kind: "sandbox_fusion" });
  const endpoint = `${cfg.url.replace(/\/+$/, "")}/run_code`;
  const semaphore = new Semaphore(cfg.concurrency);

  async function attempt(body: string, timeoutMs: number, signal?: AbortSignal): Promise<RunCodeResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new RetryableError(timeout.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message);
    }
    const text = await res.text();
    if (res.status >= 500) throw new RetryableError(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`response is not JSON: ${text.slice(0, 200)}`);
    }
    const parsed = RunCodeResponse.safeParse(json);
    if (!parsed.success) throw new Error(`unexpected response shape: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  function toResult(r: RunCodeResponse, durationMs: number): RunResult {
    const run = r.run_result;
    const cap = (s: string | null | undefined) => {
      const text = s ?? "";
      const buf = Buffer.from(text, "utf8");
      return buf.length > cfg.max_output_bytes
        ? { text: buf.subarray(0, cfg.max_output_bytes).toString("utf8"), cut: true }
        : { text, cut: false };
    };
    if (r.status === "SandboxError" || !run) {
      return sandboxError(`SandboxFusion: ${r.status}${r.message ? `: ${r.message}` : ""}`, durationMs, {
        remote_status: r.status,
      });
    }
    const out = cap(run.stdout);
    const err = cap(run.stderr);
    const exitCode = run.return_code ?? null;
    const details = {
      remote_status: r.status,
      remote_run_status: run.status,
      execution_time: run.execution_time ?? null,
    };
    const base = { stdout: out.text, stderr: err.text, stdoutTruncated: out.cut, stderrTruncated: err.cut };
    if (run.status === "TimeLimitExceeded")
      return { ...base, status: "timeout", exitCode, durationMs, details };
    if (run.status !== "Finished") {
      return {
        ...base,
        ...sandboxError(`SandboxFusion run status ${run.status}`, durationMs, details),
        ...base,
      };
    }
    return { ...base, status: exitCode === 0 ? "ok" : "runtime_error", exitCode, durationMs, details };
  }

  return {
    kind: "sandbox_fusion",
    run(req: RunRequest): Promise<RunResult> {
      for (const name of Object.keys(req.files ?? {})) {
        const problem = checkFileName(name);
        if (problem) return Promise.resolve(sandboxError(`files: ${JSON.stringify(name)} ${problem}`));
      }
      const runTimeoutMs = req.timeoutMs ?? cfg.timeout_ms;
      const files: Record<string, string> = {};
      for (const [name, content] of Object.entries(req.files ?? {})) {
        files[name] = Buffer.from(content, "utf8").toString("base64");
      }
      const body = JSON.stringify({
        code: req.code,
        language: "python",
        run_timeout: runTimeoutMs / 1000,
        stdin: req.stdin ?? "",
        files,
      });
      return semaphore.use(async () => {
        const started = performance.now();
        const errors: string[] = [];
        for (let i = 0; i <= cfg.retries; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, cfg.backoff_ms * 2 ** (i - 1)));
          try {
            const r = await attempt(body, runTimeoutMs + cfg.request_overhead_ms, req.signal);
            const result = toResult(r, performance.now() - started);
            result.details.attempts = i + 1;
            return result;
          } catch (err) {
            errors.push((err as Error).message);
            if (!(err instanceof RetryableError)) break;
          }
        }
        return sandboxError(`SandboxFusion ${endpoint}: ${errors.join("; ")}`, performance.now() - started, {
          attempts: errors.length,
        });
      });
    },
  };
}
