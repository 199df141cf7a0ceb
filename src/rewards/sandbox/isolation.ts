// How a local run is launched: the command line for each isolation mode, and finding the tools it needs.
//
//   prlimit <limits> -- bwrap <namespaces, minimal read-only root, tmpfs work dir> -- python main.py
//   prlimit <limits> -- unshare --user --net --pid ... -- python main.py      (fallback, weaker)
//   prlimit <limits> -- python main.py                                      (none: no isolation)
//
// prlimit execs its target, so the spawned process (the group leader we kill) is bwrap/unshare/python.
import {
  accessSync,
  constants,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from "node:fs";
import { delimiter, join } from "node:path";
import type { LocalSandboxConfig } from "./config.js";

export type Isolation = "bwrap" | "unshare" | "none";

/** Where the program runs inside the sandbox under bwrap (a size-limited tmpfs). */
export const BWRAP_WORK_DIR = "/tmp";

export const NOTES: Record<Isolation, string> = {
  bwrap: "bwrap: own user/pid/net/ipc/uts namespaces, read-only minimal root, tmpfs work dir",
  unshare:
    "unshare fallback (bwrap unavailable): own user/pid/net namespaces and rlimits, but the host filesystem " +
    "is visible and world-writable host directories (/tmp, /dev/shm) are writable",
  none: "NO ISOLATION (allow_unsandboxed): rlimits, process group and uid drop only; network and filesystem are open",
};

export function findExecutable(name: string): string | null {
  const candidates = name.includes("/")
    ? [name]
    : (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter).map((d) => join(d, name));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return realpathSync(path); // a link may vanish later; the file it names is what we run
    } catch {
      // try the next one
    }
  }
  return null;
}

export interface Limits {
  cpuSeconds: number;
  memoryBytes: number;
  fileSizeBytes: number;
  maxProcesses: number;
  maxOpenFiles: number;
}

export function prlimitArgs(l: Limits): string[] {
  const both = (v: number) => `${v}:${v}`;
  return [
    `--cpu=${l.cpuSeconds}:${l.cpuSeconds + 1}`,
    `--as=${both(l.memoryBytes)}`,
    `--fsize=${both(l.fileSizeBytes)}`,
    `--nproc=${both(l.maxProcesses)}`,
    `--nofile=${both(l.maxOpenFiles)}`,
    "--core=0:0",
  ];
}

/** `--ro-bind` each existing path, recreating top-level symlinks (merged /usr: /bin -> usr/bin). */
function rootArgs(roPaths: string[]): string[] {
  const args: string[] = [];
  for (const path of roPaths) {
    let isLink: boolean;
    try {
      isLink = lstatSync(path).isSymbolicLink();
    } catch {
      continue; // absent on this machine
    }
    if (isLink) args.push("--symlink", readlinkSync(path), path);
    else args.push("--ro-bind", path, path);
  }
  return args;
}

/**
 * bwrap arguments up to (not including) the command. `fileNames[i]` is copied from fd `firstFileFd + i`
 * into the work dir; bwrap writes its JSON status (child pid, exit code) to `statusFd`.
 */
export function bwrapArgs(
  cfg: LocalSandboxConfig,
  env: Record<string, string>,
  fileNames: string[],
  statusFd: number,
  firstFileFd: number,
): string[] {
  const args = [
    "--unshare-all", // pid, net, ipc, uts, cgroup, and user when possible
    "--unshare-user", // required, not just "when possible"
    "--die-with-parent",
    "--new-session",
    ...rootArgs(cfg.ro_paths),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--size",
    String(cfg.tmpfs_bytes),
    "--tmpfs",
    BWRAP_WORK_DIR,
    "--size",
    String(Math.min(cfg.tmpfs_bytes, 16 * 1024 * 1024)),
    "--tmpfs",
    "/dev/shm",
  ];
  const dirs = new Set<string>();
  for (const name of fileNames) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  for (const dir of [...dirs].sort()) args.push("--dir", `${BWRAP_WORK_DIR}/${dir}`);
  fileNames.forEach((name, i) => {
    args.push("--file", String(firstFileFd + i), `${BWRAP_WORK_DIR}/${name}`);
  });
  args.push("--remount-ro", "/", "--chdir", BWRAP_WORK_DIR, "--clearenv");
  for (const [k, v] of Object.entries(env)) args.push("--setenv", k, v);
  args.push("--disable-userns", "--json-status-fd", String(statusFd), "--");
  return args;
}

export function unshareArgs(): string[] {
  return ["--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--mount-proc", "--"];
}

/** Processes whose real uid is `uid`: RLIMIT_NPROC counts them, so a non-root parent adds its own. */
export function countProcessesOfUid(uid: number): number {
  let n = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const m = /^Uid:\s+(\d+)/m.exec(status);
      if (m && Number(m[1]) === uid) n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
}
