// Hostile programs against the local sandbox: each must be contained, reported with a status, and leave
// the machine as it was. Limits are lowered so the whole file stays fast.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createLocalSandbox, type LocalSandbox } from "../src/rewards/sandbox/index.js";
import { listProcesses, waitUntilGone } from "./helpers/sandbox-procs.js";

const NONCE = randomBytes(8).toString("hex");
const UID_BASE = 61000;
const UID_COUNT = 1000;

function sandboxWith(isolation: "bwrap" | "unshare"): LocalSandbox {
  return createLocalSandbox({
    isolation,
    concurrency: 2,
    timeout_ms: 2000,
    cpu_seconds: 1,
    max_processes: 32,
    uid_base: UID_BASE,
    uid_count: UID_COUNT,
  });
}

/**
 * Live processes that a sandboxed program left behind: by sandbox uid, or by the nonce it carries.
 * Zombies are dead (they only wait for the system's init to reap them) and are not counted.
 */
function leftovers() {
  return listProcesses().filter(
    (p) =>
      p.state !== "Z" &&
      ((p.uid >= UID_BASE && p.uid < UID_BASE + UID_COUNT) ||
        p.cmdline.includes(NONCE) ||
        p.environ.includes(NONCE)),
  );
}

const py = (lines: string[]) => `${lines.join("\n")}\n`;

let listener: Server;
let listenerPort = 0;
let connections = 0;
let bystander: ChildProcess;

before(async () => {
  process.env.OMNI_TEST_SECRET = `secret-${NONCE}`;
  listener = createServer((sock) => {
    connections++;
    sock.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  listenerPort = (listener.address() as { port: number }).port;
  // A process of ours that hostile code will try to kill.
  bystander = spawn("/bin/sleep", ["120"], { stdio: "ignore", env: {} });
});

after(async () => {
  delete process.env.OMNI_TEST_SECRET;
  bystander.kill("SIGKILL");
  await new Promise((r) => listener.close(r));
  const left = await waitUntilGone(leftovers);
  assert.deepEqual(left, [], "no sandboxed process outlives the suite");
});

describe("under bwrap", () => {
  const sb = sandboxWith("bwrap");

  test("a fork bomb is stopped by the process limit and the wall clock, and leaves nothing behind", async () => {
    const started = performance.now();
    const r = await sb.run({
      code: py([
        "import os",
        "while True:",
        "    try:",
        "        os.fork()",
        "    except OSError:",
        "        pass",
      ]),
    });
    assert.ok(["timeout", "killed"].includes(r.status), r.status);
    assert.ok(performance.now() - started < 5000);
    assert.deepEqual(await waitUntilGone(leftovers), []);
    const next = await sb.run({ code: "print('fine')" });
    assert.equal(next.status, "ok", "the next run still works");
  });

  test("an infinite loop is reported as timeout", async () => {
    const r = await sb.run({ code: "while True:\n    pass", timeoutMs: 500 });
    assert.equal(r.status, "timeout");
  });

  test("a 10 GB allocation fails with MemoryError inside the sandbox", async () => {
    const r = await sb.run({ code: "x = bytearray(10 * 1024 ** 3)" });
    assert.equal(r.status, "runtime_error");
    assert.match(r.stderr, /MemoryError/);
  });

  test("writing a 1 GB file stops at the file-size or tmpfs limit", async () => {
    const r = await sb.run({
      code: py([
        "with open('big', 'wb') as f:",
        "    for _ in range(1024):",
        "        f.write(b'x' * (1 << 20))",
      ]),
    });
    assert.equal(r.status, "runtime_error");
    assert.match(r.stderr, /File too large|No space left/);
  });

  test("writes outside the work dir do not reach the host", async () => {
    const targets = [
      join(tmpdir(), `pwned-${NONCE}`),
      `/root/pwned-${NONCE}`,
      join(process.cwd(), `pwned-${NONCE}`),
      `/var/tmp/pwned-${NONCE}`,
      `/dev/shm/pwned-${NONCE}`,
      `/usr/pwned-${NONCE}`,
      `/pwned-${NONCE}`,
    ];
    const r = await sb.run({
      code: py([
        `for p in ${JSON.stringify(targets)}:`,
        "    try:",
        "        open(p, 'w').write('x')",
        "    except OSError as e:",
        "        print('refused', p, e.errno)",
      ]),
    });
    assert.equal(r.status, "ok");
    for (const t of targets) {
      assert.equal(existsSync(t), false, t);
      rmSync(t, { force: true });
    }
  });

  test("the parent's environment is invisible, in os.environ and in /proc", async () => {
    const r = await sb.run({
      code: py([
        "import os",
        "print(dict(os.environ))",
        "for pid in os.listdir('/proc'):",
        "    if pid.isdigit():",
        "        try:",
        "            print(open('/proc/%s/environ' % pid).read())",
        "        except OSError:",
        "            pass",
        `for pid in [os.getppid(), ${process.pid}]:`,
        "    try:",
        "        print(open('/proc/%d/environ' % pid).read())",
        "    except OSError as e:",
        "        print('no', pid, e.errno)",
      ]),
    });
    assert.equal(r.status, "ok");
    assert.ok(!r.stdout.includes(NONCE), "secret leaked");
    assert.ok(!r.stdout.includes("OMNI_TEST_SECRET"));
  });

  test("no connection reaches a listener on 127.0.0.1 or any other host", async () => {
    const r = await sb.run({
      code: py([
        "import socket",
        `for host, port in [('127.0.0.1', ${listenerPort}), ('1.1.1.1', 80), ('8.8.8.8', 53)]:`,
        "    try:",
        "        socket.create_connection((host, port), timeout=1)",
        "        print('CONNECTED', host)",
        "    except OSError as e:",
        "        print('blocked', host, e.errno)",
      ]),
    });
    assert.equal(r.status, "ok");
    assert.ok(!r.stdout.includes("CONNECTED"), r.stdout);
    assert.equal(r.stdout.match(/blocked/g)?.length, 3);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(connections, 0);
  });

  test("killing its parent, kill(-1) and killing host pids harm nothing outside", async () => {
    const r = await sb.run({
      code: py([
        "import os, signal",
        `for pid in [os.getppid(), -1, ${process.pid}, ${bystander.pid}]:`,
        "    try:",
        "        os.kill(pid, signal.SIGKILL)",
        "    except OSError as e:",
        "        print('no', pid, e.errno)",
      ]),
    });
    assert.ok(["ok", "killed", "runtime_error"].includes(r.status), r.status);
    assert.equal(bystander.exitCode, null, "bystander alive");
    assert.equal(bystander.signalCode, null);
    process.kill(bystander.pid!, 0); // throws if it is gone
    const next = await sb.run({ code: "print('fine')" });
    assert.equal(next.status, "ok");
  });

  test("a detached daemon (double fork + setsid) dies with the run", async () => {
    const r = await sb.run({
      code: py([
        "import os, time",
        "if os.fork() == 0:",
        "    os.setsid()",
        "    if os.fork() == 0:",
        `        os.environ['MARK'] = '${NONCE}'`,
        `        os.execve('/bin/sleep', ['sleep', '97.${parseInt(NONCE.slice(0, 8), 16)}'], dict(os.environ))`,
        "    os._exit(0)",
        "time.sleep(0.3)",
        "print('parent done')",
      ]),
    });
    assert.equal(r.status, "ok");
    assert.equal(r.stdout, "parent done\n");
    assert.deepEqual(await waitUntilGone(leftovers), []);
  });
});

describe("under the unshare fallback", () => {
  const sb = sandboxWith("unshare");

  test("the network is unreachable and the environment is clean", async () => {
    const r = await sb.run({
      code: py([
        "import os, socket",
        "print(sorted(os.environ))",
        "try:",
        `    socket.create_connection(('127.0.0.1', ${listenerPort}), timeout=1)`,
        "    print('CONNECTED')",
        "except OSError as e:",
        "    print('blocked', e.errno)",
      ]),
    });
    assert.equal(r.status, "ok");
    assert.match(r.stdout, /blocked/);
    assert.ok(!r.stdout.includes("OMNI_TEST_SECRET"));
    assert.equal(connections, 0);
  });

  test("a fork bomb and a detached daemon are contained by the pid namespace and the process limit", async () => {
    const bomb = await sb.run({
      code: py([
        "import os",
        "while True:",
        "    try:",
        "        os.fork()",
        "    except OSError:",
        "        pass",
      ]),
    });
    assert.ok(["timeout", "killed"].includes(bomb.status), bomb.status);
    const daemon = await sb.run({
      code: py([
        "import os, time",
        "if os.fork() == 0:",
        "    os.setsid()",
        "    if os.fork() == 0:",
        `        os.execv('/bin/sleep', ['sleep', '98.${parseInt(NONCE.slice(0, 8), 16)}'])`,
        "    os._exit(0)",
        "time.sleep(0.3)",
      ]),
    });
    assert.equal(daemon.status, "ok");
    assert.deepEqual(await waitUntilGone(leftovers), []);
  });

  test("host files outside world-writable dirs stay unwritable", async () => {
    const target = join(process.cwd(), `pwned-${NONCE}`);
    const r = await sb.run({
      code: py([
        `for p in ['${target}', '/root/pwned-${NONCE}', '/usr/pwned-${NONCE}']:`,
        "    try:",
        "        open(p, 'w').write('x')",
        "    except OSError as e:",
        "        print('refused', e.errno)",
      ]),
    });
    assert.equal(r.status, "ok");
    assert.equal(r.stdout.match(/refused/g)?.length, 3);
    assert.equal(existsSync(target), false);
  });
});
