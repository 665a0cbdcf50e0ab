import type { Context } from 'grammy';
import type { RedisClient } from '../redis/client.js';
import type { Logger } from '../logger.js';
import type { RedisKeys } from '../redis/keys.js';
import type { UserRow } from '../db/queries/users.js';
import type { PersonalHours } from '../time/personal-hours.js';
import type { SearchService } from '../searches/search-service.js';
import type { ChatService } from '../chats/chat-service.js';
import type { SafetyService } from '../safety/safety-service.js';
import type { AccountService } from '../users/account-service.js';
import type { UserService } from '../users/user-service.js';
import type { Outbound } from '../outbound/outbound-queue.js';
import type { PauseService } from '../pauses/pause-service.js';
import type { StandingService } from '../searches/standing-service.js';
import type { TopicRoles } from '../users/topic-roles.js';
import type { Texts } from './i18n/index.js';
import type { ContactExchange } from '../contacts/contact-exchange-service.js';
import type { AgainService } from '../again/again-service.js';
import type { Moderation } from '../safety/moderation-service.js';

/** What the bot's handlers use; the same services the HTTP API calls. */
export interface BotDeps {
  users: UserService;
  searches: SearchService;
  chats: ChatService;
  safety: SafetyService;
  accounts: AccountService;
  outbound: Outbound;
  redis: RedisClient;
  keys: RedisKeys;
  log: Logger;
  limits: { findPerMinute: number; commandsPerMinute: number };
  /** How long /find waits for a proposal before it says "Looking for a partner…". */
  searchingNoticeDelayMs: number;
  contacts: ContactExchange;
  again: AgainService;
  pauses: PauseService;
  moderation: Moderation;
  /** Telegram ids of the operators (ADMIN_TELEGRAM_IDS). */
  admins: readonly number[];
  topicRoles: TopicRoles;
  /** The person's own waking hours (/profile). */
  wakingHours: PersonalHours;
  /** "Keep looking and notify me". */
  standing: StandingService;
}

/** grammY's context plus our dependencies, the user's row (once registered) and texts. */
export type BotContext = Context & {
  deps: BotDeps;
  user: UserRow | null;
  t: Texts;
};
