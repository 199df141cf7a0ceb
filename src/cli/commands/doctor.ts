// `omni-thinker doctor`: what this machine gives the engine (backend, BLAS, threads) and which optional
// tools (python3, torch for parity checks) are present.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { backendInfo, nativeLoadError } from "../../engine/load-backend.js";

export interface DoctorReport {
  node: string;
  backend: string;
  nativeError?: string;
  blas: string;
  threads: { blas: number; kernels: number };
  env: Record<string, string>;
  python3: boolean;
  torch: string | null;
}

const PYTHON = "/usr/bin/python3";

/** Collects the report (no printing). */
export function doctorReport(): DoctorReport {
  const info = backendInfo();
  const core = info.openblasCoreType ?? "unknown";
  const blas =
    info.gemm === "openblas"
      ? `OpenBLAS (core ${core}; ${info.gemmReason})`
      : info.gemm === "builtin"
        ? `built-in C GEMM (${info.gemmReason}${info.openblasCoreType ? `; OpenBLAS core ${core} loaded` : ""})`
        : "none (TypeScript reference kernels)";
  const env: Record<string, string> = {};
  for (const k of [
    "OMNI_BACKEND",
    "OMNI_GEMM",
    "OMNI_KERNEL_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
  ]) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  const python3 = existsSync(PYTHON);
  let torch: string | null = null;
  if (python3) {
    const r = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    if (r.status === 0) torch = r.stdout.trim();
  }
  const nativeError = nativeLoadError();
  return {
    node: process.version,
    backend: info.backend,
    ...(nativeError ? { nativeError } : {}),
    blas,
    threads: info.threads,
    env,
    python3,
    torch,
  };
}

export function register(program: Command): void {
  program
    .command("doctor")
    .description("report the kernel backend, BLAS, thread counts and optional tools on this machine")
    .option("--json", "print one JSON object")
    .action((opts: { json?: boolean }) => {
      const r = doctorReport();
      if (opts.json) {
        console.log(JSON.stringify(r));
        return;
      }
      const lines = [
        `node            ${r.node}`,
        `kernel backend  ${r.backend}${r.nativeError ? ` (native addon unavailable: ${r.nativeError})` : ""}`,
        `GEMM            ${r.blas}`,
        `threads         BLAS ${r.threads.blas}, kernels ${r.threads.kernels}`,
        `environment     ${
          Object.entries(r.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ") || "(no OMNI_/OPENBLAS_ variables set)"
        }`,
        `python3         ${r.python3 ? PYTHON : "not found"}`,
        `torch           ${r.torch ?? "not importable"}`,
      ];
      console.log(lines.join("\n"));
    });
}
