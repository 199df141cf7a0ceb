// Worker thread for the math reward: answers chunks of checks sent by the WorkerPool.
import { workerData } from "node:worker_threads";
import { serveWorkerItems } from "../worker-pool.js";
import { checkMathAnswer, type MathCheckItem, type MathCheckSettings } from "./check.js";
import { answersEquivalent } from "./equivalence.js";

export interface MathWorkerData extends MathCheckSettings {
  /** TEST ONLY: a response containing this string makes the worker spin forever (proves the kill). */
  debugSpinToken?: string;
}

const settings = workerData as MathWorkerData;

serveWorkerItems<MathCheckItem, ReturnType<typeof checkMathAnswer>>(
  (item) => {
    if (settings.debugSpinToken && item.response.includes(settings.debugSpinToken)) {
      for (;;) {
        // spin: only worker.terminate() ends this
      }
    }
    return checkMathAnswer(item, settings);
  },
  () => {
    // Load mathjs and warm its simplifier before reporting ready, outside any check's timeout.
    if (settings.symbolic) answersEquivalent("x^2-1", "(x-1)(x+1)");
  },
);
