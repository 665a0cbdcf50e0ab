import type { BotMessageEvent, ChatRecord, EmulatedChatStore } from './emulated-chat-store.js';
import { summarize } from './message-summary.js';
import type { Message } from './telegram-types.js';

/** Decides whether a bot message (new or edited) is the one being waited for. */
export type BotMessagePredicate = (message: Message, event: BotMessageEvent) => boolean;

/** Options of `waitForBotMessage`; a plain number means `timeoutMs`. */
export interface WaitForBotMessageOptions {
  /** Default 2000 ms. */
  timeoutMs?: number;
  /**
   * Which bot messages count. `lastAction` (default): anything since this user's last action,
   * so a reply that arrived before the wait began is not missed. `now`: only later ones.
   * `beginning`: every event the chat still remembers.
   */
  since?: 'lastAction' | 'now' | 'beginning';
}

/**
 * Resolves with the first bot message event in `chat` after `fromSeq` that matches; rejects
 * after the timeout with a message listing what did arrive, so a failing test says why.
 */
export function waitForBotMessage(
  store: EmulatedChatStore,
  chat: ChatRecord,
  fromSeq: number,
  predicate: BotMessagePredicate,
  timeoutMs: number,
): Promise<Message> {
  const matches = (event: BotMessageEvent) =>
    event.seq > fromSeq && predicate(event.message, event);
  try {
    const earlier = chat.events.find(matches);
    if (earlier) return Promise.resolve(earlier.message);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return new Promise((resolve, reject) => {
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      unsubscribe();
      outcome();
    };
    const unsubscribe = store.onBotMessage((event) => {
      if (event.chatId !== chat.id) return;
      try {
        if (matches(event)) finish(() => resolve(event.message));
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
      }
    });
    const timer = setTimeout(() => {
      finish(() => reject(new Error(describeTimeout(chat, fromSeq, timeoutMs))));
    }, timeoutMs);
  });
}

function describeTimeout(chat: ChatRecord, fromSeq: number, timeoutMs: number): string {
  const seen = chat.events.filter((event) => event.seq > fromSeq);
  const who = chat.user.username ? `@${chat.user.username}` : `user ${chat.id}`;
  const head = `waitForBotMessage: no matching bot message in chat ${chat.id} (${who}) within ${timeoutMs} ms`;
  if (seen.length === 0) return `${head}; no bot messages arrived in that time`;
  const lines = seen.map((event) => `  ${event.kind}: ${summarize(event.message)}`);
  return `${head}; bot messages that arrived (${seen.length}):\n${lines.join('\n')}`;
}
