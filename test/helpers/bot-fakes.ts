/* eslint-disable @typescript-eslint/require-await -- in-memory stand-ins for async services */
import type { Update, UserFromGetMe } from 'grammy/types';
import { createBot } from '../../src/bot/bot.js';
import type { BotDeps } from '../../src/bot/context.js';
import type { ActiveChat } from '../../src/chats/chat-service.js';
import type { UserRow } from '../../src/db/queries/users.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import type { OutboundMessage } from '../../src/outbound/outbound-message.js';
import { createRedisKeys } from '../../src/redis/keys.js';
import { parseTimeZone } from '../../src/users/time-zones.js';
import { deleteKeys } from '../../src/redis/delete-keys.js';
import { TEST_REDIS_PREFIX, testRedis } from './services.js';

/**
 * A grammY bot built by the real createBot, with in-memory stand-ins for our own services
 * (users, matching, chats, safety, accounts, the outbound queue) and grammY's API
 * transformer recording every direct Bot API call. Rate limits and conversation state use
 * real Redis under this run's prefix.
 */
export const BOT_INFO: UserFromGetMe = {
  id: 5_000_000_001,
  is_bot: true,
  first_name: 'tete',
  username: 'tete_unit_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

const TOPICS = [
  { id: 1, slug: 'books', title_ru: 'Книги', title_en: 'Books' },
  { id: 2, slug: 'movies', title_ru: 'Кино', title_en: 'Movies' },
  { id: 3, slug: 'music', title_ru: 'Музыка', title_en: 'Music' },
];

let counter = 0;

/** A queued message as the fake records it: any method's parameters, readable by name. */
export type RecordedMessage = Omit<OutboundMessage, 'payload'> & {
  payload: Record<string, unknown>;
};

export function createFakeBot(limits = { findPerMinute: 100, commandsPerMinute: 100 }) {
  counter += 1;
  const redis = testRedis();
  const keys = createRedisKeys(`${TEST_REDIS_PREFIX}unit-bot${counter}-${Date.now()}:`);
  const sent: RecordedMessage[] = [];
  const apiCalls: { method: string; payload: Record<string, unknown> }[] = [];
  const calls: { name: string; args: unknown[] }[] = [];
  const users = new Map<number, UserRow & { topic_ids: number[] }>();
  const state = {
    activeChat: null as ActiveChat | null,
    findError: null as AppError | null,
    /** match id -> participant user ids, and who accepted. */
    matches: new Map<number, { users: number[]; accepted: number[]; status: string }>(),
  };
  const record = (name: string, ...args: unknown[]) => calls.push({ name, args });
  const byId = (id: number) => [...users.values()].find((user) => user.id === id);

  const deps = {
    users: {
      async register(from: { id: number; first_name: string }, language: 'ru' | 'en') {
        const existing = users.get(from.id);
        if (existing) return existing;
        const row = {
          id: users.size + 1,
          tg_id: from.id,
          first_name: from.first_name,
          username: null,
          language,
          tz: language === 'en' ? 'Europe/London' : 'Europe/Moscow',
          rules_accepted_at: null,
          helpfulness: 0.5,
          bot_blocked_at: null,
          suspended_at: null,
          created_at: new Date(),
          deleted_at: null,
          topic_ids: [] as number[],
        };
        users.set(from.id, row);
        return row;
      },
      async acceptRules(id: number) {
        const user = byId(id)!;
        if (user.rules_accepted_at) return false;
        user.rules_accepted_at = new Date();
        return true;
      },
      topics: async () => TOPICS,
      profile: async (id: number) => byId(id) ?? null,
      byTelegramId: async (tgId: number) => users.get(tgId) ?? null,
      reactivate: async (id: number) => void (byId(id)!.bot_blocked_at = null),
      rating: async () => ({ count: 0, average: null }),
      async toggleTopic(id: number, topicId: number) {
        const user = byId(id)!;
        if (!TOPICS.some((topic) => topic.id === topicId)) throw new AppError('not_found', 'no');
        user.topic_ids = user.topic_ids.includes(topicId)
          ? user.topic_ids.filter((t) => t !== topicId)
          : [...user.topic_ids, topicId].sort();
        return user.topic_ids;
      },
      async setTimeZone(id: number, input: string) {
        const zone = parseTimeZone(input);
        if (!zone) throw new AppError('bad_request', 'unknown time zone');
        byId(id)!.tz = zone;
        return zone;
      },
      setLanguage: async (id: number, language: 'ru' | 'en') =>
        void (byId(id)!.language = language),
    },
    searches: {
      async find(userId: number) {
        record('find', userId);
        if (state.findError) throw state.findError;
        return { queued: true, searchId: `search-${userId}` };
      },
      cancel: async (userId: number) => (record('cancel', userId), { cancelled: true }),
      async confirm(matchId: number, userId: number, action: 'accept' | 'decline') {
        record('confirm', matchId, userId, action);
        const match = state.matches.get(matchId);
        if (!match) throw new AppError('not_found', 'no match');
        if (!match.users.includes(userId)) throw new AppError('forbidden', 'not yours');
        if (match.status !== 'waiting') return match.status;
        if (action === 'decline') return (match.status = 'declined');
        if (!match.accepted.includes(userId)) match.accepted.push(userId);
        if (match.accepted.length === 2) match.status = 'active';
        return match.status;
      },
    },
    chats: {
      activeChatOf: async () => state.activeChat,
      lastChatOf: async () => state.activeChat,
      endChat: async (...args: unknown[]) => (record('endChat', ...args), true),
      touch: async (matchId: number) => void record('touch', matchId),
      rate: async (...args: unknown[]) => void record('rate', ...args),
    },
    safety: {
      blockLastPartner: async (userId: number) => (record('block', userId), 2),
      reportLastPartner: async (...args: unknown[]) => (
        record('report', ...args),
        { suspended: false, reportId: null }
      ),
    },
    accounts: {
      erase: async (userId: number) => void record('erase', userId),
      markBotBlocked: async (userId: number) => void record('markBotBlocked', userId),
    },
    outbound: {
      async enqueue(message: OutboundMessage) {
        if (!sent.some((m) => m.key === message.key)) {
          sent.push({ ...message, payload: { ...message.payload } });
        }
      },
    },
    redis,
    keys,
    log: createLogger('silent'),
    limits,
    searchingNoticeDelayMs: 1500,
    admins: [],
  } as unknown as BotDeps;

  const bot = createBot({
    token: '5000000001:AAUnitTestTokenUnitTestToken',
    apiRoot: 'http://127.0.0.1:9',
    botInfo: BOT_INFO,
    deps,
  });
  bot.api.config.use(async (_prev, method, payload) => {
    apiCalls.push({ method, payload: payload });
    return { ok: true, result: true } as never;
  });

  let updateId = 1;
  return {
    bot,
    deps,
    redis,
    keys,
    sent,
    apiCalls,
    calls,
    users,
    state,
    /** Delivers an update through bot.handleUpdate, numbering it. */
    handle: (update: Omit<Update, 'update_id'>) =>
      bot.handleUpdate({ update_id: (updateId += 1), ...update }),
    answers: () => apiCalls.filter((call) => call.method === 'answerCallbackQuery'),
    texts: (chatId: number) =>
      sent
        .filter((m) => m.chatId === chatId && typeof m.payload.text === 'string')
        .map((m) => String(m.payload.text)),
    async close() {
      await deleteKeys(redis, `${keys.prefix}*`);
      redis.disconnect();
    },
  };
}

export type FakeBot = ReturnType<typeof createFakeBot>;

let messageId = 100;

export function userOf(id: number, firstName = 'User', languageCode = 'ru') {
  return { id, is_bot: false as const, first_name: firstName, language_code: languageCode };
}

/** A private text message from `from` (a bot_command entity when it starts with "/"). */
export function textUpdate(from: ReturnType<typeof userOf>, text: string, extra: object = {}) {
  const command = /^\/\w+/.exec(text)?.[0];
  return {
    message: {
      message_id: (messageId += 1),
      date: Math.floor(Date.now() / 1000),
      chat: { id: from.id, type: 'private' as const, first_name: from.first_name },
      from,
      text,
      ...(command
        ? { entities: [{ type: 'bot_command' as const, offset: 0, length: command.length }] }
        : {}),
      ...extra,
    },
  };
}

/** A press of an inline button with `data` on a bot message in the presser's chat. */
export function pressUpdate(from: ReturnType<typeof userOf>, data: string, onMessage = 50) {
  return {
    callback_query: {
      id: `q${(messageId += 1)}`,
      from,
      chat_instance: 'ci',
      data,
      message: {
        message_id: onMessage,
        date: Math.floor(Date.now() / 1000),
        chat: { id: from.id, type: 'private' as const, first_name: from.first_name },
        from: { id: BOT_INFO.id, is_bot: true, first_name: 'tete' },
        text: 'old',
      },
    },
  };
}
