// A small progress reporter for long work: `label [#####.....] 12/40 30% ETA 1m05s | extra`.
// On a TTY it redraws one line in place; otherwise it prints a plain line at most every `intervalMs`.

export interface ProgressOptions {
  label: string;
  total: number;
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
  width?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export class Progress {
  private done = 0;
  private extra = "";
  private readonly start = Date.now();
  private lastPrint = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
  }

  /** Advances by `n` and optionally replaces the trailing status text. */
  tick(n = 1, extra?: string): void {
    this.done += n;
    if (extra !== undefined) this.extra = extra;
    this.render(false);
  }

  set(done: number, extra?: string): void {
    this.done = done;
    if (extra !== undefined) this.extra = extra;
    this.render(false);
  }

  finish(extra?: string): void {
    if (extra !== undefined) this.extra = extra;
    this.render(true);
    if (this.tty) this.stream.write("\n");
  }

  line(): string {
    const { total, label } = this.opts;
    const width = this.opts.width ?? 24;
    const frac = total > 0 ? Math.min(1, this.done / total) : 1;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (total - this.done) : Number.NaN;
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
    const pct = `${Math.floor(frac * 100)}%`;
    const timing = this.done >= total ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`;
    return `${label} ${bar} ${this.done}/${total} ${pct} ${timing}${this.extra ? ` | ${this.extra}` : ""}`;
  }

  private render(force: boolean): void {
    const now = Date.now();
    const interval = this.opts.intervalMs ?? (this.tty ? 100 : 5000);
    if (!force && now - this.lastPrint < interval) return;
    this.lastPrint = now;
    if (this.tty) this.stream.write(`\r\x1b[2K${this.line()}`);
    else this.stream.write(`${this.line()}\n`);
  }
}
