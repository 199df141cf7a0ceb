// Worker script for the WorkerPool tests. It serves items only when loaded as a worker thread,
// so importing it elsewhere has no side effects.
import { isMainThread } from "node:worker_threads";
import { serveWorkerItems } from "../../src/rewards/worker-pool.js";

export type PoolTestItem =
  | { op: "double"; value: number }
  | { op: "spin" }
  | { op: "throw"; message: string }
  | { op: "exit" }
  | { op: "threadId" };

if (!isMainThread) {
  const { threadId } = await import("node:worker_threads");
  serveWorkerItems<PoolTestItem, number>((item) => {
    switch (item.op) {
      case "double":
        return item.value * 2;
      case "spin":
        for (;;) {
          // busy forever: only terminate() stops it
        }
      case "throw":
        throw new Error(item.message);
      case "exit":
        process.exit(3);
        return 0;
      case "threadId":
        return threadId;
    }
  });
}
