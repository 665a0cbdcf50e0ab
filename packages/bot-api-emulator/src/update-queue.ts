import { apiErrors, type BotApiError } from './bot-api-error.js';
import type {
  CallbackQuery,
  ChatMemberUpdated,
  EmulatedUpdateType,
  Message,
  Update,
} from './telegram-types.js';

/** An update before it gets its id: exactly one of the kinds the emulator produces. */
export type UpdatePayload =
  | { message: Message }
  | { edited_message: Message }
  | { callback_query: CallbackQuery }
  | { my_chat_member: ChatMemberUpdated };

/** Telegram's default when `allowed_updates` is empty or was never set. */
const OFF_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

interface WaitingPoll {
  limit: number;
  resolve(updates: Update[]): void;
  reject(error: BotApiError): void;
  cleanup(): void;
}

export function updateType(update: UpdatePayload | Update): EmulatedUpdateType {
  return Object.keys(update).find((key) => key !== 'update_id') as EmulatedUpdateType;
}

/**
 * The bot's pending updates, in order, until they are confirmed (getUpdates with a higher
 * offset) or delivered (webhook 2xx). Holds at most one long poll, like Telegram: a second
 * getUpdates ends the first with 409.
 */
export class UpdateQueue {
  private readonly pending = new Map<number, Update>();
  private readonly listeners = new Set<(update: Update) => void>();
  private allowed: Set<string> | undefined;
  private poll: WaitingPoll | undefined;
  private flushScheduled = false;

  constructor(private nextId: number) {}

  /** Assigns the next update id and queues it, unless `allowed_updates` filters it out. */
  push(payload: UpdatePayload): Update | undefined {
    const type = updateType(payload);
    if (this.allowed ? !this.allowed.has(type) : OFF_BY_DEFAULT.has(type)) return undefined;
    const update = { update_id: this.nextId, ...payload } as Update;
    this.nextId += 1;
    this.pending.set(update.update_id, update);
    for (const listener of this.listeners) listener(update);
    if (this.poll && !this.flushScheduled) {
      // Answer on the next turn so updates created together travel in one response.
      this.flushScheduled = true;
      setImmediate(() => this.flushPoll());
    }
    return update;
  }

  /** `allowed_updates`: undefined keeps the last setting, an empty list restores the default. */
  setAllowedUpdates(types: string[] | undefined): void {
    if (types === undefined) return;
    this.allowed = types.length === 0 ? undefined : new Set(types);
  }

  allowedUpdates(): string[] | undefined {
    return this.allowed && [...this.allowed];
  }

  /**
   * getUpdates: confirms everything below `offset` (a negative offset keeps only the last
   * -offset updates), then answers at once if anything is pending, otherwise waits up to
   * `timeoutMs` for the first update.
   */
  getUpdates(
    offset: number | undefined,
    limit: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Update[]> {
    if (offset !== undefined) this.confirm(offset);
    this.poll?.reject(apiErrors.pollingConflict());
    if (this.pending.size > 0 || timeoutMs <= 0) return Promise.resolve(this.take(limit));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.finishPoll([]), timeoutMs);
      const onAbort = () => this.finishPoll([]);
      signal?.addEventListener('abort', onAbort, { once: true });
      const poll: WaitingPoll = {
        limit,
        resolve,
        reject: (error) => {
          poll.cleanup();
          reject(error);
        },
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (this.poll === poll) this.poll = undefined;
        },
      };
      this.poll = poll;
    });
  }

  /** Ends a waiting long poll: with an error (webhook set) or with an empty result (stop). */
  endPoll(error?: BotApiError): void {
    if (error) this.poll?.reject(error);
    else this.finishPoll([]);
  }

  /** Removes one delivered update (webhook mode). */
  acknowledge(updateId: number): void {
    this.pending.delete(updateId);
  }

  dropPending(): void {
    this.pending.clear();
  }

  /** Pending updates in order (a snapshot). */
  snapshot(): Update[] {
    return [...this.pending.values()];
  }

  get size(): number {
    return this.pending.size;
  }

  /** Calls `listener` for every queued update; returns the unsubscribe function. */
  onPush(listener: (update: Update) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private confirm(offset: number): void {
    if (offset < 0) {
      const keep = -offset;
      let drop = this.pending.size - keep;
      for (const id of this.pending.keys()) {
        if (drop-- <= 0) break;
        this.pending.delete(id);
      }
      return;
    }
    for (const id of this.pending.keys()) {
      if (id >= offset) break;
      this.pending.delete(id);
    }
  }

  private take(limit: number): Update[] {
    const updates: Update[] = [];
    for (const update of this.pending.values()) {
      if (updates.length >= limit) break;
      updates.push(update);
    }
    return updates;
  }

  private flushPoll(): void {
    this.flushScheduled = false;
    if (this.poll && this.pending.size > 0) this.finishPoll(this.take(this.poll.limit));
  }

  private finishPoll(updates: Update[]): void {
    const poll = this.poll;
    if (!poll) return;
    poll.cleanup();
    poll.resolve(updates);
  }
}
