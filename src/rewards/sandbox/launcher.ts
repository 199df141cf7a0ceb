// The local sandbox behind a launcher process. Starting a child process from a large Node process is
// slow here: fork copies the parent's page tables, and on this machine a spawn costs 135-180 ms from a
// process holding 1 GB (a trainer with its model and optimizer) against 10 ms from a small one
// (docs/results.md). So by default (`launcher: helper`) the sandboxes are started by a small helper
// process (launcher-host.ts), forked once on first use; requests and results cross its IPC channel.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LocalSandboxConfig } from "./config.js";
import type { Isolation } from "./isolation.js";
import type { LocalSandbox } from "./local.js";
import { type RunRequest, type RunResult, sandboxError } from "./types.js";

export type HostRequest =
  | { type: "init"; config: LocalSandboxConfig }
  | { type: "ready"; id: number }
  | { type: "run"; id: number; request: Omit<RunRequest, "signal"> }
  | { type: "abort"; id: number }
  | { type: "close" };

export type HostReply =
  | { type: "ready"; id: number; mode: Isolation; note: string; kind: string }
  | { type: "result"; id: number; result: RunResult; kind: string }
  | { type: "error"; id: number; message: string };

const HOST_SCRIPT = fileURLToPath(new URL("./launcher-host.js", import.meta.url));

interface Waiter {
  settle(reply: HostReply | { type: "gone"; message: string }): void;
}

export function createLauncherSandbox(config: LocalSandboxConfig): LocalSandbox {
  let child: ChildProcess | null = null;
  let kind = "local";
  let nextId = 0;
  const waiting = new Map<number, Waiter>();

  // The helper must not keep this process alive while nothing is in flight.
  function holdOpen(on: boolean): void {
    if (!child) return;
    const channel = child.channel as { ref?(): void; unref?(): void } | null | undefined;
    if (on) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  }

  function start(): ChildProcess {
    const c = fork(HOST_SCRIPT, [], {
      execArgv: [],
      // It needs only PATH (to find prlimit, bwrap, python); none of this process's other variables.
      env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" },
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    c.on("message", (msg: HostReply) => {
      const w = waiting.get(msg.id);
      if (!w) return;
      waiting.delete(msg.id);
      if (msg.type !== "error") kind = msg.kind;
      w.settle(msg);
      if (waiting.size === 0) holdOpen(false);
    });
    const gone = (why: string) => {
      if (child === c) child = null;
      const pending = [...waiting.values()];
      waiting.clear();
      for (const w of pending) w.settle({ type: "gone", message: `sandbox launcher ${why}` });
    };
    c.on("exit", (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
    c.on("error", (err) => gone(`failed: ${err.message}`));
    c.send({ type: "init", config } satisfies HostRequest);
    return c;
  }

  function send(make: (id: number) => HostRequest, waiter: Waiter): number {
    const id = nextId++;
    child ??= start();
    waiting.set(id, waiter);
    holdOpen(true);
    child.send(make(id));
    return id;
  }

  return {
    get kind() {
      return kind;
    },
    ready() {
      return new Promise((resolve, reject) => {
        send((id) => ({ type: "ready", id }), {
          settle: (r) => {
            if (r.type === "ready") resolve({ mode: r.mode, note: r.note });
            else reject(new Error(r.type === "result" ? "sandbox launcher: unexpected reply" : r.message));
          },
        });
      });
    },
    run(req: RunRequest): Promise<RunResult> {
      const { signal, ...request } = req;
      return new Promise((resolve) => {
        const onAbort = () => child?.send({ type: "abort", id } satisfies HostRequest);
        const id = send((i) => ({ type: "run", id: i, request }), {
          settle: (r) => {
            signal?.removeEventListener("abort", onAbort);
            if (r.type === "result") resolve(r.result);
            else resolve(sandboxError(r.type === "ready" ? "sandbox launcher: unexpected reply" : r.message));
          },
        });
        if (signal?.aborted) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    close() {
      const c = child;
      if (!c) return Promise.resolve();
      child = null;
      return new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.send({ type: "close" } satisfies HostRequest);
        c.ref();
      });
    },
  };
}
