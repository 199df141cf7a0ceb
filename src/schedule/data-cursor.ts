// A task's rows read in a seeded random order, one pass (epoch) after another. The order of epoch e is
// a Fisher-Yates shuffle from a stream derived from (seed, task, e), so the cursor's whole state is two
// integers: the epoch and the position in it.
import { Rng } from "../engine/rng.js";
import type { Row } from "../tasks/schema.js";

export interface CursorState {
  epoch: number;
  position: number;
}

function hashTask(task: string): number {
  let h = 0x811c9dc5;
  for (const ch of task) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export class DataCursor {
  private order: number[] = [];
  private orderEpoch = -1;
  epoch = 0;
  position = 0;

  constructor(
    readonly task: string,
    readonly rows: readonly Row[],
    private readonly seed: number,
  ) {
    if (rows.length === 0) throw new Error(`task "${task}" has no rows to train on`);
  }

  get size(): number {
    return this.rows.length;
  }

  /** Rows left in the current epoch. */
  get remaining(): number {
    return this.rows.length - this.position;
  }

  /** The next row (moving to the next epoch after the last one). */
  take(): { row: Row; rowIndex: number } {
    if (this.position >= this.rows.length) {
      this.epoch++;
      this.position = 0;
    }
    if (this.orderEpoch !== this.epoch) {
      const rng = new Rng((this.seed ^ hashTask(this.task) ^ Math.imul(this.epoch + 1, 0x9e3779b1)) >>> 0);
      this.order = rng.shuffle(Array.from({ length: this.rows.length }, (_, i) => i));
      this.orderEpoch = this.epoch;
    }
    const rowIndex = this.order[this.position++]!;
    return { row: this.rows[rowIndex]!, rowIndex };
  }

  getState(): CursorState {
    return { epoch: this.epoch, position: this.position };
  }

  setState(s: CursorState): void {
    if (!Number.isInteger(s?.epoch) || !Number.isInteger(s?.position) || s.position < 0) {
      throw new Error(`data cursor for "${this.task}": bad state ${JSON.stringify(s)}`);
    }
    if (s.position > this.rows.length) {
      throw new Error(
        `data cursor for "${this.task}": position ${s.position} is past the ${this.rows.length} rows (did the dataset change?)`,
      );
    }
    this.epoch = s.epoch;
    this.position = s.position;
  }
}
