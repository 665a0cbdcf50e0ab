import { randomInt } from 'node:crypto';
import { apiErrors } from './bot-api-error.js';

/** What the bot answered to a callback query (`answerCallbackQuery`). */
export interface CallbackAnswer {
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
}

interface PendingQuery {
  chatId: number;
  createdAt: number;
  answer?: CallbackAnswer;
  waiters: ((answer: CallbackAnswer) => void)[];
}

/**
 * Callback queries the simulated users created. Each can be answered once, and only while it
 * is fresh; after that Telegram says "query is too old", and so does the emulator.
 */
export class CallbackQueryStore {
  private readonly queries = new Map<string, PendingQuery>();
  private readonly base = BigInt(randomInt(1, 2 ** 40)) * 1_000_000n;
  private counter = 0n;

  constructor(
    private readonly clock: () => number,
    private readonly answerWindowMs: number,
  ) {}

  /** Registers a new query; the id is a long decimal string, like Telegram's. */
  create(chatId: number): string {
    this.counter += 1n;
    const id = (this.base + this.counter).toString();
    this.queries.set(id, { chatId, createdAt: this.clock(), waiters: [] });
    return id;
  }

  answer(id: string, answer: CallbackAnswer): void {
    const query = this.queries.get(id);
    const expired = query && this.clock() - query.createdAt > this.answerWindowMs;
    if (!query || query.answer || expired) throw apiErrors.queryTooOld();
    query.answer = answer;
    for (const waiter of query.waiters.splice(0)) waiter(answer);
  }

  answerOf(id: string): CallbackAnswer | undefined {
    return this.queries.get(id)?.answer;
  }

  chatOf(id: string): number | undefined {
    return this.queries.get(id)?.chatId;
  }

  /** Resolves with the answer once the bot gives it (at once if it already did). */
  waitForAnswer(id: string, timeoutMs: number): Promise<CallbackAnswer> {
    const query = this.queries.get(id);
    if (!query) return Promise.reject(new Error(`unknown callback query ${id}`));
    if (query.answer) return Promise.resolve(query.answer);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = query.waiters.indexOf(done);
        if (index >= 0) query.waiters.splice(index, 1);
        reject(new Error(`the bot did not answer callback query ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (answer: CallbackAnswer) => {
        clearTimeout(timer);
        resolve(answer);
      };
      query.waiters.push(done);
    });
  }
}
