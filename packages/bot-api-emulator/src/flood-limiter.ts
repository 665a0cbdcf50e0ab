/** Telegram's documented broadcast limits, modelled as token buckets. */
export interface FloodLimitOptions {
  /** Messages per second across all chats. Default 30. */
  globalPerSecond?: number;
  /** Messages per second to one private chat. Default 1. */
  perChatPerSecond?: number;
  /** Messages one chat may receive in a burst before the per-chat rate applies. Default 3. */
  perChatBurst?: number;
  /**
   * Messages per second sent with `allow_paid_broadcast` (paid for in Stars), counted apart
   * from the free limit. Default 1000.
   */
  paidPerSecond?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Off by default because tests want speed; a sandbox or benchmark turns it on to see how the
 * bot copes with 429s. A refused call consumes nothing, like Telegram's counters.
 */
export class FloodLimiter {
  private readonly global: Bucket;
  private readonly paid: Bucket;
  private readonly paidRate: number;
  private readonly chats = new Map<number, Bucket>();
  private readonly globalRate: number;
  private readonly chatRate: number;
  private readonly chatBurst: number;

  constructor(
    options: FloodLimitOptions,
    private readonly clock: () => number,
  ) {
    this.globalRate = options.globalPerSecond ?? 30;
    this.chatRate = options.perChatPerSecond ?? 1;
    this.chatBurst = options.perChatBurst ?? 3;
    this.paidRate = options.paidPerSecond ?? 1000;
    this.global = { tokens: this.globalRate, updatedAt: clock() };
    this.paid = { tokens: this.paidRate, updatedAt: clock() };
  }

  /**
   * Takes one message slot for `chatId`; returns the `retry_after` seconds when refused. A
   * `paid` message (allow_paid_broadcast) is counted against the paid rate instead of the
   * free global one; the per-chat limit holds for both.
   */
  take(chatId: number, paid = false): number | undefined {
    const now = this.clock();
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = { tokens: this.chatBurst, updatedAt: now };
      this.chats.set(chatId, chat);
    }
    const [global, globalRate] = paid ? [this.paid, this.paidRate] : [this.global, this.globalRate];
    refill(global, now, globalRate, globalRate);
    refill(chat, now, this.chatRate, this.chatBurst);
    if (global.tokens >= 1 && chat.tokens >= 1) {
      global.tokens -= 1;
      chat.tokens -= 1;
      return undefined;
    }
    const waitSeconds = Math.max(
      (1 - global.tokens) / globalRate,
      (1 - chat.tokens) / this.chatRate,
    );
    return Math.max(1, Math.ceil(waitSeconds));
  }
}

function refill(bucket: Bucket, now: number, ratePerSecond: number, capacity: number): void {
  const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
  bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * ratePerSecond);
  bucket.updatedAt = now;
}
