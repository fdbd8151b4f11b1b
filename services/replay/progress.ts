/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms, only when stderr is a
 * terminal: piped or redirected output gets nothing, so logs and CI stay clean.
 *
 * @example
 * const bar = progressBar(await countEvents(store, filter), 'events');
 * bar.update(done); …; bar.done();
 */
export interface Progress {
  update(done: number): void;
  /** Clears the line. */
  done(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

const REDRAW_MS = 100;

export function progressBar(total: number, unit: string, stream: ProgressStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  const draw = (done: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 50));
    const filled = Math.round(ratio * width);
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}`);
  };
  return {
    update(done) {
      const now = Date.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      draw(done);
    },
    done() {
      stream.write('\r\u001b[2K');
    },
  };
}
