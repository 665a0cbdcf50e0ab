/** Erases the terminal line the cursor is on and returns to its start. */
const CLEAR_LINE = '\r\u001b[2K';

export interface ConsoleOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width. */
  columns?: number;
}

/** A line that wrapped could no longer be cleared in place: cut it to the terminal's width. */
const fit = (text: string, columns: number | undefined) => {
  const chars = [...text];
  // A few columns spare: some signs in it (⌛) are drawn two columns wide.
  return columns && chars.length >= columns - 3 ? `${chars.slice(0, columns - 4).join('')}…` : text;
};

export type SandboxConsole = ReturnType<typeof createSandboxConsole>;

/**
 * The sandbox's console, written for a person. On a terminal the progress line is redrawn in
 * place below everything else: it is cleared before any other line is written and drawn
 * again after it, so nothing is ever glued to it. Off a terminal (a pipe, a file, CI) the
 * progress is a line of its own, the first time and then every `everySeconds`.
 */
export function createSandboxConsole(out: ConsoleOutput = process.stdout, everySeconds = 10) {
  const tty = out.isTTY === true;
  let shown: string | undefined;
  let printedAt = Number.NEGATIVE_INFINITY;
  return {
    isTTY: tty,
    /** Writes whole lines above the progress line. */
    line(text: string): void {
      out.write(`${shown === undefined ? '' : CLEAR_LINE}${text}\n${shown ?? ''}`);
    },
    progress(text: string, elapsedSeconds: number): void {
      if (tty) {
        shown = fit(text, out.columns);
        out.write(`${CLEAR_LINE}${shown}`);
      } else if (elapsedSeconds - printedAt >= everySeconds) {
        printedAt = elapsedSeconds;
        out.write(`${text}\n`);
      }
    },
    /** Takes the progress line away for good: the run is over. */
    end(): void {
      if (shown !== undefined) out.write(CLEAR_LINE);
      shown = undefined;
    },
  };
}
