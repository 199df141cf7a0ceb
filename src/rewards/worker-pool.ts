// A pool of worker_threads with a hard per-item timeout.
//
// A job is a list of items sent to one worker in one message; the worker answers item by item, so a
// timeout applies to each item, not to the whole job. An item that runs past the timeout gets its
// worker terminated (worker.terminate() stops even a busy loop) and replaced; that item's outcome is
// `timeout`, and the job's remaining items are queued again, first in line. The caller always gets
// one outcome per item: a timeout or a crash never rejects the batch.
//
// The worker side is `serveWorkerItems(handler)`, called from the worker script.
import { isMainThread, parentPort, Worker } from "node:worker_threads";

export type ItemOutcome<R> =
  | { ok: true; value: R }
  | { ok: false; reason: "timeout" | "crash" | "error" | "closed"; message: string };

export interface WorkerPoolOptions {
  /** The compiled worker script (it must call `serveWorkerItems`). */
  script: URL;
  /** Number of worker threads. */
  size: number;
  /** Hard limit for one item, in milliseconds. */
  itemTimeoutMs: number;
  /** Jobs waiting for a worker beyond this many make `runBatch` reject (default 1024). */
  maxQueuedJobs?: number;
  /** Passed to every worker as `workerData`. */
  workerData?: unknown;
}

export class WorkerPoolQueueFullError extends Error {
  constructor(limit: number) {
    super(`worker pool queue is full (${limit} jobs waiting); score smaller batches or raise maxQueuedJobs`);
    this.name = "WorkerPoolQueueFullError";
  }
}

// Messages between the pool and a worker.
type ToWorker = { id: number; items: unknown[] };
type FromWorker =
  | { type: "ready" }
  | { type: "item"; id: number; ok: true; value: unknown }
  | { type: "item"; id: number; ok: false; message: string };

interface Job<T, R> {
  items: T[];
  outcomes: ItemOutcome<R>[];
  /** Index of the first item not yet answered. */
  next: number;
  resolve: (outcomes: ItemOutcome<R>[]) => void;
}

interface Slot<T, R> {
  worker: Worker;
  ready: boolean;
  job: Job<T, R> | null;
  /** Message id of the job in flight, so late answers from a replaced worker are ignored. */
  jobId: number;
  timer: NodeJS.Timeout | null;
}

export class WorkerPool<T, R> {
  private readonly slots: Slot<T, R>[] = [];
  private readonly queue: Job<T, R>[] = [];
  private readonly maxQueued: number;
  private nextJobId = 1;
  private closed = false;
  private readyWaiters: (() => void)[] = [];
  /** Counters for metrics and tests. */
  readonly stats = { timeouts: 0, crashes: 0, restarts: 0 };

  constructor(private readonly opts: WorkerPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new Error(`worker pool size must be >= 1`);
    if (!(opts.itemTimeoutMs > 0)) throw new Error(`worker pool itemTimeoutMs must be > 0`);
    this.maxQueued = opts.maxQueuedJobs ?? 1024;
  }

  /** Starts the workers now instead of at the first job (they load their modules in the meantime). */
  warm(): void {
    if (this.closed) return;
    while (this.slots.length < this.opts.size) this.slots.push(this.spawn());
    this.dispatch();
  }

  /** Starts the workers if needed and resolves once every one of them has loaded and reported ready. */
  whenReady(): Promise<void> {
    this.warm();
    if (this.closed || this.slots.every((s) => s.ready)) return Promise.resolve();
    const ready = new Promise<void>((resolve) => this.readyWaiters.push(resolve));
    this.dispatch(); // keeps the loading workers referenced while someone waits for them
    return ready;
  }

  /** Runs `items` as one job on one worker; resolves with one outcome per item, in order. */
  runBatch(items: T[]): Promise<ItemOutcome<R>[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.resolve(items.map(() => closedOutcome()));
    if (this.queue.length >= this.maxQueued)
      return Promise.reject(new WorkerPoolQueueFullError(this.maxQueued));
    this.warm();
    return new Promise((resolve) => {
      this.queue.push({ items, outcomes: new Array(items.length), next: 0, resolve });
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running jobs finish with `closed` outcomes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.readyWaiters.splice(0)) wake();
    const running = this.slots.map((s) => s.job).filter((j): j is Job<T, R> => j !== null);
    for (const job of [...running, ...this.queue.splice(0)]) finishWith(job, closedOutcome());
    const workers = this.slots.splice(0).map((s) => {
      if (s.timer) clearTimeout(s.timer);
      return s.worker;
    });
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Slot<T, R> {
    const worker = new Worker(this.opts.script, { workerData: this.opts.workerData });
    const slot: Slot<T, R> = { worker, ready: false, job: null, jobId: 0, timer: null };
    worker.on("message", (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on("error", (err) => this.onCrash(slot, `worker crashed: ${err.message}`));
    worker.on("exit", (code) => this.onCrash(slot, `worker exited with code ${code}`));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.jobId = this.nextJobId++;
      const message: ToWorker = { id: slot.jobId, items: job.items.slice(job.next) };
      slot.worker.postMessage(message);
      slot.timer = setTimeout(() => this.onTimeout(slot), this.opts.itemTimeoutMs);
    }
    // Idle workers must not keep the process alive; busy ones (or ones a queued job waits for) must.
    const waiting = this.queue.length > 0;
    for (const slot of this.slots) {
      if (slot.job || waiting || (!slot.ready && this.readyWaiters.length > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  private onMessage(slot: Slot<T, R>, msg: FromWorker): void {
    if (msg.type === "ready") {
      slot.ready = true;
      if (this.slots.every((s) => s.ready)) for (const wake of this.readyWaiters.splice(0)) wake();
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || msg.id !== slot.jobId) return;
    job.outcomes[job.next++] = msg.ok
      ? { ok: true, value: msg.value as R }
      : { ok: false, reason: "error", message: msg.message };
    if (job.next < job.items.length) {
      slot.timer?.refresh(); // the next item starts now
      return;
    }
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    job.resolve(job.outcomes);
    this.dispatch();
  }

  private onTimeout(slot: Slot<T, R>): void {
    this.stats.timeouts++;
    this.replace(slot, {
      ok: false,
      reason: "timeout",
      message: `item exceeded ${this.opts.itemTimeoutMs} ms; its worker was terminated`,
    });
  }

  private onCrash(slot: Slot<T, R>, message: string): void {
    if (this.closed || !this.slots.includes(slot)) return; // already replaced or shutting down
    this.stats.crashes++;
    if (!slot.ready) {
      // The worker died while loading: a broken script. Fail the waiting jobs instead of respawning forever.
      this.slots.splice(this.slots.indexOf(slot), 1);
      for (const job of this.queue.splice(0)) finishWith(job, { ok: false, reason: "crash", message });
      return;
    }
    this.replace(slot, { ok: false, reason: "crash", message });
  }

  /** Kills `slot`'s worker, gives its current item `outcome`, requeues the rest of its job, respawns. */
  private replace(slot: Slot<T, R>, outcome: ItemOutcome<R>): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.worker.removeAllListeners();
    slot.worker.on("error", () => {}); // errors from a worker being torn down are expected
    void slot.worker.terminate();
    const job = slot.job;
    if (job) {
      job.outcomes[job.next++] = outcome;
      if (job.next < job.items.length) this.queue.unshift(job);
      else job.resolve(job.outcomes);
    }
    this.stats.restarts++;
    this.slots[index] = this.spawn();
    this.dispatch();
  }
}

function closedOutcome(): ItemOutcome<never> {
  return { ok: false, reason: "closed", message: "worker pool was closed" };
}

function finishWith<T, R>(job: Job<T, R>, outcome: ItemOutcome<R>): void {
  while (job.next < job.items.length) job.outcomes[job.next++] = outcome;
  job.resolve(job.outcomes);
}

/**
 * Worker side: answers each item of each job with `handler`, one message per item.
 * `init` runs once before the worker reports ready (load heavy modules there, not inside a timed item).
 */
export function serveWorkerItems<T, R>(
  handler: (item: T) => R | Promise<R>,
  init?: () => Promise<void> | void,
): void {
  if (isMainThread || !parentPort) throw new Error("serveWorkerItems must be called from a worker thread");
  const port = parentPort;
  let chain = Promise.resolve();
  port.on("message", (msg: ToWorker) => {
    chain = chain.then(async () => {
      for (const item of msg.items as T[]) {
        try {
          port.postMessage({ type: "item", id: msg.id, ok: true, value: await handler(item) });
        } catch (err) {
          port.postMessage({
            type: "item",
            id: msg.id,
            ok: false,
            message: String((err as Error)?.message ?? err),
          });
        }
      }
    });
  });
  void Promise.resolve(init?.()).then(() => port.postMessage({ type: "ready" }));
}
