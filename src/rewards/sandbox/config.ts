// Sandbox configs, as they appear in YAML (snake_case), validated with zod. The schema is the type.
import { z } from "zod";

const MiB = 1024 * 1024;

export const ISOLATION_MODES = ["auto", "bwrap", "unshare", "none"] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

export const LocalSandboxConfig = z.strictObject({
  kind: z.literal("local"),
  /** Interpreter; it and its libraries must lie under `ro_paths` (bwrap) and be readable by the sandbox uid. */
  python: z.string().min(1).default("/usr/bin/python3"),
  /** `-I`: isolated mode (no PYTHON* env, no user site, script dir not on sys.path). `-S` saves ~5 ms but hides dist-packages. */
  python_args: z.array(z.string()).default(["-I"]),
  /** `auto` takes the first of bwrap, unshare that works; `none` needs `allow_unsandboxed`. */
  isolation: z.enum(ISOLATION_MODES).default("auto"),
  /** Lets `auto` fall back to no network/filesystem isolation (limits and uid drop only) instead of refusing. */
  allow_unsandboxed: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(256).default(2),
  /**
   * `helper`: a small helper process starts the sandboxes (a spawn from a process holding a model
   * costs 10x more than from a small one); `inline`: this process starts them.
   */
  launcher: z.enum(["helper", "inline"]).default("helper"),
  timeout_ms: z.number().int().positive().default(5000),
  /** RLIMIT_CPU in seconds; default ceil(timeout). SIGXCPU at the limit, SIGKILL one second later. */
  cpu_seconds: z.number().int().positive().optional(),
  /** RLIMIT_AS, per process. */
  memory_bytes: z
    .number()
    .int()
    .positive()
    .default(1024 * MiB),
  /** RLIMIT_FSIZE: largest file a process may write. */
  file_size_bytes: z
    .number()
    .int()
    .positive()
    .default(16 * MiB),
  /** RLIMIT_NPROC, counted per sandbox uid (each run gets its own uid when the parent is root). */
  max_processes: z.number().int().positive().default(64),
  /** RLIMIT_NOFILE. */
  max_open_files: z.number().int().positive().default(256),
  /** Size of the work directory (/tmp, a tmpfs) and of /dev/shm under bwrap. */
  tmpfs_bytes: z
    .number()
    .int()
    .positive()
    .default(64 * MiB),
  /** Cap on each of stdout and stderr; a run that writes more is killed (`output_limit`). */
  max_output_bytes: z
    .number()
    .int()
    .positive()
    .default(1 * MiB),
  /** Host directories the sandbox sees read-only under bwrap (top-level symlinks such as /bin -> usr/bin are recreated). */
  ro_paths: z.array(z.string().startsWith("/")).default(["/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"]),
  /** When the parent runs as root, run i uses uid/gid uid_base + (i mod uid_count): unused ids, one per run. */
  uid_base: z.number().int().min(1000).default(61000),
  uid_count: z.number().int().min(1).default(1000),
});
export type LocalSandboxConfig = z.output<typeof LocalSandboxConfig>;

export const SandboxFusionConfig = z.strictObject({
  kind: z.literal("sandbox_fusion"),
  /** Base URL; the client POSTs to `{url}/run_code`. */
  url: z.url(),
  /** Run time limit sent as `run_timeout` when a request has none. */
  timeout_ms: z.number().int().positive().default(5000),
  /** HTTP timeout per attempt, on top of the run's own time limit. */
  request_overhead_ms: z.number().int().positive().default(10000),
  /** Extra attempts after a connection error, an HTTP timeout or a 5xx. */
  retries: z.number().int().min(0).default(3),
  backoff_ms: z.number().int().min(0).default(250),
  concurrency: z.number().int().min(1).max(1024).default(8),
  max_output_bytes: z
    .number()
    .int()
    .positive()
    .default(1 * MiB),
});
export type SandboxFusionConfig = z.output<typeof SandboxFusionConfig>;

export const SandboxConfig = z
  .discriminatedUnion("kind", [LocalSandboxConfig, SandboxFusionConfig])
  .prefault({ kind: "local" });
export type SandboxConfig = z.output<typeof SandboxConfig>;
