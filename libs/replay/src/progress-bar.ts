const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

/**
 * One updating line on stderr: phase, bar, events, events/s and ETA. Without a terminal it
 * prints a plain line every few seconds instead, so logs stay readable.
 */
export class ProgressBar {
  private phase = '';
  private total = 0;
  private done = 0;
  private phaseStart = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: ProgressStream = process.stderr,
  ) {}

  start(phase: string, total: number): void {
    this.finishLine();
    this.phase = phase;
    this.total = total;
    this.done = 0;
    this.phaseStart = Date.now();
    this.lastDraw = 0;
    if (total > 0) this.draw(true);
  }

  add(events: number): void {
    this.done += events;
    this.draw(false);
  }

  /** A step without a count (index builds, checks): shown with its elapsed time when it ends. */
  async step<T>(phase: string, work: () => Promise<T>): Promise<T> {
    this.finishLine();
    const started = Date.now();
    this.write(`${this.label}: ${phase}…`);
    const result = await work();
    this.write(`${this.label}: ${phase} (${duration((Date.now() - started) / 1000)})`);
    this.finishLine();
    return result;
  }

  finish(): void {
    // A phase with nothing to do (e.g. no catch-up needed) leaves no line behind.
    if (this.total > 0 || this.done > 0) this.draw(true);
    this.finishLine();
  }

  get rate(): number {
    const elapsed = (Date.now() - this.phaseStart) / 1000;
    return elapsed > 0 ? this.done / elapsed : 0;
  }

  private draw(force: boolean): void {
    const now = Date.now();
    const interval = this.stream.isTTY ? 100 : 5000;
    if (!force && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const rate = this.rate;
    const share = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const eta = rate > 0 ? duration((this.total - this.done) / rate) : '?';
    this.write(
      `${this.label}: ${this.phase} [${bar}] ${(share * 100).toFixed(0).padStart(3)}% ` +
        `${fmt(this.done)}/${fmt(this.total)} events, ${fmt(rate)} events/s, ETA ${eta}`,
    );
  }

  private write(line: string): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  private finishLine(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
