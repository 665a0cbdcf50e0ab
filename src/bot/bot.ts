import { Bot, GrammyError, type BotError, type NextFunction } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { BotContext, BotDeps } from './context.js';
import { TEXTS } from './i18n/index.js';
import { loadUser } from './middlewares/load-user.js';
import { withinLimit } from './middlewares/rate-limit.js';
import { answer, say } from './reply.js';
import { passOutages } from './outage-boundary.js';
import { account } from './features/account.js';
import { chat } from './features/chat.js';
import { ADMIN_COMMAND_NAMES, COMMAND_NAMES, help } from './features/help.js';
import { messages } from './features/messages.js';
import { onboarding } from './features/onboarding.js';
import { profile } from './features/profile.js';
import { proposals } from './features/proposals.js';
import { relayEdits } from './features/relay.js';
import { safety } from './features/safety.js';
import { search } from './features/search.js';
import { contactExchange } from './features/contact-exchange.js';
import { again } from './features/again.js';
import { pause } from './features/pause.js';
import { standing } from './features/standing.js';
import { moderation } from './features/moderation.js';
import { topicRoles } from './features/topic-roles.js';
import { wakingHours } from './features/waking-hours.js';

export interface CreateBotOptions {
  token: string;
  apiRoot: string;
  /** Known bot identity; skips getMe (tests, and restarts that already know it). */
  botInfo?: UserFromGetMe;
  deps: BotDeps;
}

/** tete talks one to one: groups and channels are ignored (a button there still gets an answer). */
async function privateOnly(ctx: BotContext, next: NextFunction): Promise<void> {
  if (!ctx.chat || ctx.chat.type === 'private') return next();
  if (ctx.callbackQuery) await answer(ctx);
}

/** Commands and button presses count against a per-user limit; relayed chat messages do not. */
async function rateLimit(ctx: BotContext, next: NextFunction): Promise<void> {
  const isAction = ctx.callbackQuery !== undefined || ctx.message?.text?.startsWith('/') === true;
  if (!isAction || !ctx.from) return next();
  const { redis, keys, limits } = ctx.deps;
  if (await withinLimit(redis, keys, 'cmd', ctx.from.id, limits.commandsPerMinute)) return next();
  if (ctx.callbackQuery) return answer(ctx, ctx.t.rateLimited);
  await say(ctx, ctx.t.rateLimited);
}

async function reportFailure(error: BotError<BotContext>, deps: BotDeps): Promise<void> {
  const ctx = error.ctx;
  deps.log.error({ err: error.error, updateId: ctx.update.update_id }, 'bot update failed');
  if (ctx.callbackQuery) await answer(ctx, ctx.t?.error ?? TEXTS.ru.error);
  else if (ctx.chat && ctx.deps) await say(ctx, ctx.t.error).catch(() => undefined);
}

/** The Telegram bot: one Composer per feature, the same services as the HTTP API. */
export function createBot(options: CreateBotOptions): Bot<BotContext> {
  const bot = new Bot<BotContext>(options.token, {
    botInfo: options.botInfo,
    client: { apiRoot: options.apiRoot },
  });
  bot.use(loadUser(options.deps));
  // One boundary for polling and webhook alike (grammY's bot.catch only covers polling): a
  // failed handler is logged, the user is told, and a pressed button stops spinning.
  const features = bot.errorBoundary(passOutages((error) => reportFailure(error, options.deps)));
  features.use(privateOnly, rateLimit);
  features.use(onboarding, profile, search, proposals, chat, relayEdits, safety, account, help);
  features.use(again);
  features.use(pause, topicRoles);
  features.use(wakingHours);
  features.use(contactExchange, moderation);
  features.use(standing);
  features.use(messages);
  // Presses of buttons nobody handles (an old keyboard) still get an answer: no spinner.
  features.on('callback_query', (ctx) => answer(ctx));
  bot.catch((error) => reportFailure(error, options.deps));
  return bot;
}

/**
 * Registers the command menu in Russian (also the default) and English; operators' chats get
 * theirs with /stats added.
 */
export async function registerCommands(
  bot: Bot<BotContext>,
  admins: readonly number[] = [],
): Promise<void> {
  for (const language of ['ru', 'en'] as const) {
    const commands = COMMAND_NAMES.map((command) => ({
      command,
      description: TEXTS[language].commands[command],
    }));
    await bot.api.setMyCommands(commands, { language_code: language });
    if (language === 'ru') await bot.api.setMyCommands(commands);
    const forAdmins = [
      ...commands,
      ...ADMIN_COMMAND_NAMES.map((command) => ({
        command,
        description: TEXTS[language].adminCommands[command],
      })),
    ];
    for (const chat_id of admins) {
      const scope = { type: 'chat' as const, chat_id };
      try {
        await bot.api.setMyCommands(forAdmins, { scope, language_code: language });
        if (language === 'ru') await bot.api.setMyCommands(forAdmins, { scope });
      } catch (error) {
        // An operator who never opened the bot has no chat yet: their menu waits for a restart.
        if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
      }
    }
  }
}
