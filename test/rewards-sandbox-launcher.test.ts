// The sandbox launcher (launcher: helper, the default): sandboxes are started by a small helper
// process, not by the (possibly large) process that asks for them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createLocalSandbox, LocalSandboxConfig } from "../src/rewards/sandbox/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Pids of this process's children running the launcher host. */
function launcherPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (ppid === process.pid && cmd.includes("launcher-host.js")) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

test("by default a helper process starts the sandboxes; close() ends it", async () => {
  assert.equal(LocalSandboxConfig.parse({ kind: "local" }).launcher, "helper");
  const before = launcherPids().length;
  const sb = createLocalSandbox({ timeout_ms: 3000 });
  const r = await sb.run({ code: "import sys\nprint(sys.stdin.read() * 2)", stdin: "ab" });
  assert.equal(r.status, "ok");
  assert.equal(r.stdout, "abab\n");
  assert.equal(sb.kind, "local:bwrap");
  const ready = await sb.ready();
  assert.equal(ready.mode, "bwrap");
  assert.match(ready.note, /^bwrap: /);
  assert.equal(launcherPids().length, before + 1, "one helper for this sandbox");
  await sb.close();
  assert.equal(launcherPids().length, before, "the helper exited on close");
});

test("through the helper, timeouts and aborts behave as inline", async () => {
  const sb = createLocalSandbox({ timeout_ms: 800 });
  const inline = createLocalSandbox({ timeout_ms: 800, launcher: "inline" });
  try {
    for (const runner of [sb, inline]) {
      const t = await runner.run({ code: "while True: pass" });
      assert.equal(t.status, "timeout");
      const controller = new AbortController();
      const pending = runner.run({
        code: "import time\ntime.sleep(30)",
        signal: controller.signal,
        timeoutMs: 20000,
      });
      setTimeout(() => controller.abort(), 200);
      const a = await pending;
      assert.equal(a.status, "killed");
      assert.equal(a.details.reason, "aborted");
    }
  } finally {
    await sb.close();
  }
});

test("if the helper dies, its runs report sandbox_error and the next run starts a new one", async () => {
  const sb = createLocalSandbox({ timeout_ms: 5000 });
  try {
    assert.equal((await sb.run({ code: "pass" })).status, "ok");
    const [pid] = launcherPids().slice(-1);
    const pending = sb.run({ code: "import time\ntime.sleep(3)" });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid!, "SIGKILL");
    const lost = await pending;
    assert.equal(lost.status, "sandbox_error");
    assert.match(String(lost.details.error), /sandbox launcher exited \(SIGKILL\)/);
    assert.equal((await sb.run({ code: "print(7)" })).stdout, "7\n");
  } finally {
    await sb.close();
  }
});

test("an idle helper does not keep its parent alive", () => {
  const script = [
    `import { createLocalSandbox } from ${JSON.stringify(join(ROOT, "dist/src/rewards/sandbox/index.js"))};`,
    "const r = await createLocalSandbox({}).run({ code: 'print(5)' });",
    "console.log(r.status, r.stdout.trim());",
  ].join("\n");
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 20000,
  });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout.trim(), "ok 5");
});
