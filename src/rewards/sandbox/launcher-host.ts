// The sandbox launcher's child side: a small Node process that runs a LocalSandbox (inline) for its
// parent and answers over the IPC channel (launcher.ts). It exits when the parent goes away or says
// close; a sandbox still running then dies with it (bwrap --die-with-parent) or at its CPU limit.

import type { HostReply, HostRequest } from "./launcher.js";
import type { LocalSandbox } from "./local.js";
import { createLocalSandbox } from "./local.js";

let sandbox: LocalSandbox | null = null;
const aborts = new Map<number, AbortController>();
let closing = false;

function reply(msg: HostReply): void {
  process.send?.(msg);
}

function exitWhenIdle(): void {
  if (closing && aborts.size === 0) process.exit(0);
}

process.on("message", (msg: HostRequest) => {
  if (msg.type === "init") {
    sandbox = createLocalSandbox({ ...msg.config, launcher: "inline" });
    return;
  }
  if (msg.type === "close") {
    closing = true;
    exitWhenIdle();
    return;
  }
  if (msg.type === "abort") {
    aborts.get(msg.id)?.abort();
    return;
  }
  if (!sandbox) {
    reply({
      type: "error",
      id: msg.id,
      message: "sandbox launcher: no init message before the first request",
    });
    return;
  }
  if (msg.type === "ready") {
    sandbox.ready().then(
      (r) => reply({ type: "ready", id: msg.id, mode: r.mode, note: r.note, kind: sandbox!.kind }),
      (err: Error) => reply({ type: "error", id: msg.id, message: err.message }),
    );
    return;
  }
  const controller = new AbortController();
  aborts.set(msg.id, controller);
  sandbox
    .run({ ...msg.request, signal: controller.signal })
    .then((result) => reply({ type: "result", id: msg.id, result, kind: sandbox!.kind }))
    .catch((err: Error) => reply({ type: "error", id: msg.id, message: err.message }))
    .finally(() => {
      aborts.delete(msg.id);
      exitWhenIdle();
    });
});
process.on("disconnect", () => process.exit(0));
