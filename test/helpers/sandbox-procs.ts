// Looks for processes left behind by sandboxed programs (test helper, no side effects on import).
import { readdirSync, readFileSync } from "node:fs";

export interface ProcInfo {
  pid: number;
  uid: number;
  /** R, S, D, Z (zombie: exited, waiting for its parent or init to reap it), ... */
  state: string;
  cmdline: string;
  environ: string;
}

export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const state = /^State:\s+(\S+)/m.exec(status)?.[1] ?? "?";
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      let environ = "";
      try {
        environ = readFileSync(`/proc/${entry}/environ`, "utf8");
      } catch {
        // not readable: fine
      }
      out.push({ pid: Number(entry), uid, state, cmdline, environ });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Polls until `find` returns nothing or `ms` passes; returns what is still there. */
export async function waitUntilGone(find: () => ProcInfo[], ms = 3000): Promise<ProcInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = find();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
