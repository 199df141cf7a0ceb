import assert from "node:assert/strict";
import { chmodSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createLocalSandbox, SandboxConfig } from "../src/rewards/sandbox/index.js";
import { tempDir } from "./helpers/temp-dir.js";

const sandbox = createLocalSandbox({ concurrency: 2, cpu_seconds: 2, timeout_ms: 3000 });

test("a program runs with its stdin and files in a fresh work dir and reports ok with its output", async () => {
  const r = await sandbox.run({
    code: "import os, sys\nprint(sys.stdin.read() + open('in/a.txt').read())\nprint(sorted(os.listdir('.')))",
    stdin: "x=",
    files: { "in/a.txt": "1" },
  });
  assert.equal(r.status, "ok");
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, "x=1\n['in', 'main.py']\n");
  assert.equal(r.stdoutTruncated, false);
  assert.ok(r.durationMs > 0);
});

test("the first working isolation is bwrap on this machine, and runs say which isolation they used", async () => {
  const { mode } = await sandbox.ready();
  assert.equal(mode, "bwrap");
  assert.equal(sandbox.kind, "local:bwrap");
  const r = await sandbox.run({ code: "pass" });
  assert.equal(r.details.isolation, "bwrap");
});

test("a raised exception is runtime_error with the exit code and the traceback on stderr", async () => {
  const r = await sandbox.run({ code: "raise ValueError('boom')" });
  assert.equal(r.status, "runtime_error");
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /ValueError: boom/);
});

test("a program past its wall-clock limit is killed and reported as timeout", async () => {
  const started = performance.now();
  const r = await sandbox.run({ code: "import time\ntime.sleep(60)", timeoutMs: 300 });
  assert.equal(r.status, "timeout");
  assert.equal(r.details.reason, "wall_clock");
  assert.ok(performance.now() - started < 2000);
});

test("a program past its CPU-time limit gets SIGXCPU and is reported as timeout", async () => {
  const cpu = createLocalSandbox({ cpu_seconds: 1, timeout_ms: 10000 });
  const r = await cpu.run({ code: "while True:\n    pass" });
  assert.equal(r.status, "timeout");
  assert.equal(r.details.reason, "cpu_limit");
  assert.equal(r.exitCode, 128 + 24);
});

test("an output flood is cut at the limit, the program killed, and the status is output_limit", async () => {
  const small = createLocalSandbox({ max_output_bytes: 1000 });
  const started = performance.now();
  const r = await small.run({ code: "while True:\n    print('y' * 100)" });
  assert.equal(r.status, "output_limit");
  assert.equal(r.stdoutTruncated, true);
  assert.equal(Buffer.byteLength(r.stdout), 1000);
  assert.ok(performance.now() - started < 2000);
});

test("the environment holds only PATH, HOME and the locale", async () => {
  const r = await sandbox.run({ code: "import os, json\nprint(json.dumps(sorted(os.environ)))" });
  assert.equal(r.status, "ok");
  const keys = JSON.parse(r.stdout) as string[];
  assert.deepEqual(
    keys.filter((k) => !["HOME", "LANG", "LC_CTYPE", "PATH", "PWD"].includes(k)),
    [],
  );
});

test("no more runs than the concurrency limit execute at once", async () => {
  const code = "import time\nt = time.time()\ntime.sleep(0.25)\nprint(t, time.time())";
  const runs = await Promise.all(Array.from({ length: 6 }, () => sandbox.run({ code })));
  const spans = runs.map((r) => {
    assert.equal(r.status, "ok");
    return r.stdout.trim().split(" ").map(Number) as [number, number];
  });
  let maxOverlap = 0;
  for (const [start] of spans) {
    maxOverlap = Math.max(maxOverlap, spans.filter(([s, e]) => s <= start && start < e).length);
  }
  assert.equal(maxOverlap, 2);
});

test("file names that escape the work dir are refused before anything runs", async () => {
  for (const name of ["../x", "/etc/passwd", "a/../../b", "main.py", ""]) {
    const r = await sandbox.run({ code: "print(1)", files: { [name]: "x" } });
    assert.equal(r.status, "sandbox_error", name);
    assert.match(String(r.details.error), /files:/);
  }
});

test("the SandboxConfig schema defaults to a local sandbox with documented limits", () => {
  const cfg = SandboxConfig.parse(undefined);
  assert.equal(cfg.kind, "local");
  if (cfg.kind !== "local") return;
  assert.equal(cfg.python, "/usr/bin/python3");
  assert.equal(cfg.memory_bytes, 1024 * 1024 * 1024);
  assert.equal(cfg.file_size_bytes, 16 * 1024 * 1024);
  assert.equal(cfg.concurrency, 2);
  assert.equal(cfg.allow_unsandboxed, false);
  assert.throws(() => SandboxConfig.parse({ kind: "sandbox_fusion" }), /url/);
});

/** Runs `fn` with PATH holding only links to the named tools, so the others look absent. */
async function withOnlyTools<T>(tools: string[], fn: () => Promise<T>): Promise<T> {
  const dir = tempDir("omni-tools-");
  chmodSync(dir, 0o755); // the sandbox uid must be able to reach the tools
  for (const t of tools) symlinkSync(`/usr/bin/${t}`, join(dir, t));
  const saved = process.env.PATH;
  process.env.PATH = dir;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

test("without bwrap the sandbox falls back to unshare, says so in details, and removes its temp dirs", async (t) => {
  // A private TMPDIR: sandboxes in test files running concurrently must not count as leftovers.
  const privateTmp = tempDir("omni-sbx-test-");
  chmodSync(privateTmp, 0o755);
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
  t.after(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(privateTmp, { recursive: true, force: true });
  });
  const fallback = createLocalSandbox({});
  const ready = await withOnlyTools(["prlimit", "unshare"], () => fallback.ready());
  assert.equal(ready.mode, "unshare");
  const r = await fallback.run({
    code: "import os\nprint(sorted(os.listdir('.')))",
    files: { "f.txt": "x" },
  });
  assert.equal(r.status, "ok");
  assert.equal(r.stdout, "['f.txt', 'main.py']\n");
  assert.equal(r.details.isolation, "unshare");
  assert.match(String(r.details.note), /unshare fallback/);
  const netless = await fallback.run({
    code: "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n    print('connected')\nexcept OSError as e:\n    print('refused', e.errno)",
  });
  assert.match(netless.stdout, /^refused/);
  assert.deepEqual(readdirSync(privateTmp), []);
});

test("with neither bwrap nor unshare, runs are refused unless allow_unsandboxed is set", async () => {
  const strict = createLocalSandbox({});
  await withOnlyTools(["prlimit"], async () => {
    await assert.rejects(strict.ready(), /no usable sandbox.*allow_unsandboxed: true/);
  });
  const r = await strict.run({ code: "print(1)" });
  assert.equal(r.status, "sandbox_error");
  assert.match(String(r.details.error), /no usable sandbox/);

  const open = createLocalSandbox({ allow_unsandboxed: true });
  const ready = await withOnlyTools(["prlimit"], () => open.ready());
  assert.equal(ready.mode, "none");
  const ok = await open.run({ code: "print(1)" });
  assert.equal(ok.status, "ok");
  assert.match(String(ok.details.note), /NO ISOLATION/);
});

test("isolation: none without allow_unsandboxed is refused with a clear error", async () => {
  const r = await createLocalSandbox({ isolation: "none" }).run({ code: "print(1)" });
  assert.equal(r.status, "sandbox_error");
  assert.match(String(r.details.error), /allow_unsandboxed/);
});
