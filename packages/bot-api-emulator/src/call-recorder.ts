import type { ApiParams } from './telegram-types.js';

/** One Bot API call as the emulator saw it. */
export interface RecordedCall {
  /** Position in the recording, starting at 1; keeps increasing across `clearCalls()`. */
  seq: number;
  /** Canonical method name (Telegram method names are case-insensitive). */
  method: string;
  params: ApiParams;
  /** When the call arrived, in milliseconds of the emulator clock. */
  at: number;
  ok: boolean;
  /** For failed calls. */
  errorCode?: number;
  description?: string;
  /** For successful calls: the `result` that was returned. */
  result?: unknown;
}

/** Selects calls by method name or by any predicate. */
export type CallFilter = string | ((call: RecordedCall) => boolean);

/** Keeps the calls in arrival order, bounded so a long sandbox run does not grow forever. */
export class CallRecorder {
  private recorded: RecordedCall[] = [];
  private seq = 0;
  private readonly listeners = new Set<(call: RecordedCall) => void>();

  constructor(
    private readonly limit: number,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  record(call: Omit<RecordedCall, 'seq'>): RecordedCall {
    this.seq += 1;
    const entry: RecordedCall = { seq: this.seq, ...call };
    if (this.limit > 0) {
      this.recorded.push(entry);
      if (this.recorded.length > this.limit * 1.1) this.recorded = this.recorded.slice(-this.limit);
    }
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    return entry;
  }

  calls(filter?: CallFilter): RecordedCall[] {
    const kept =
      this.recorded.length > this.limit ? this.recorded.slice(-this.limit) : this.recorded;
    if (filter === undefined) return [...kept];
    if (typeof filter === 'function') return kept.filter(filter);
    const name = filter.toLowerCase();
    return kept.filter((call) => call.method.toLowerCase() === name);
  }

  clear(): void {
    this.recorded = [];
  }

  onCall(listener: (call: RecordedCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
