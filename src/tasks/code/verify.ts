// Build-time check: run every reference solution against all of its tests with python3, many tasks
// per process (one exec per task, in a fresh namespace), so a wrong TS re-implementation or a wrong
// Python reference cannot reach the committed datasets.
import { spawnSync } from "node:child_process";

export interface PythonCheck {
  id: string;
  code: string;
  tests: string[];
}

export interface PythonFailure {
  id: string;
  test: string;
  error: string;
}

const RUNNER = `
import json, signal, sys
def on_alarm(signum, frame):
    raise TimeoutError("timed out")
signal.signal(signal.SIGALRM, on_alarm)
failures = []
for task in json.load(sys.stdin):
    ns = {}
    current = "(definition)"
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        exec(task["code"], ns)
        for t in task["tests"]:
            current = t
            exec(t, ns)
    except BaseException as e:
        failures.append({"id": task["id"], "test": current, "error": type(e).__name__ + ": " + str(e)})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
json.dump(failures, sys.stdout)
`;

export const PYTHON = process.env.OMNI_PYTHON ?? "python3";

/** Runs the checks in batches; returns every failing task (empty when all pass). */
export function runPythonChecks(checks: PythonCheck[], batchSize = 2000): PythonFailure[] {
  const failures: PythonFailure[] = [];
  for (let i = 0; i < checks.length; i += batchSize) {
    const batch = checks.slice(i, i + batchSize);
    const res = spawnSync(PYTHON, ["-c", RUNNER], {
      input: JSON.stringify(batch),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    if (res.error) throw new Error(`cannot run ${PYTHON} to check code references: ${res.error.message}`);
    if (res.status !== 0)
      throw new Error(`${PYTHON} check runner failed (exit ${res.status}): ${res.stderr}`);
    failures.push(...(JSON.parse(res.stdout) as PythonFailure[]));
  }
  return failures;
}
