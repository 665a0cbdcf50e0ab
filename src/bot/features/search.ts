import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { BotContext } from '../context.js';
import { TEXTS } from '../i18n/index.js';
import { withinLimit } from '../middlewares/rate-limit.js';
import { say } from '../reply.js';
import { sayPaused } from './pause.js';

/** /find (and the "Find a partner" button) and /cancel, through the matching service. */
export const search = new Composer<BotContext>();

const FIND_BUTTONS = [TEXTS.ru.findButton, TEXTS.en.findButton];

async function find(ctx: BotContext): Promise<void> {
  const { t, user, deps } = ctx;
  if (!user) return say(ctx, t.rulesFirst);
  if (
    !(await withinLimit(deps.redis, deps.keys, 'find', ctx.from!.id, deps.limits.findPerMinute))
  ) {
    return say(ctx, t.rateLimited);
  }
  try {
    const result = await deps.searches.find(user.id);
    if (!result.searchId) return say(ctx, t.alreadySearching);
    // When a partner is waiting the proposal is the answer, and one message fewer spends less
    // of the bot's budget (about 30 messages a second in all): "Looking for a partner…" goes
    // a moment later, and only if the search is still looking by then. It is a notice, so a
    // proposal never waits for it.
    await say(
      ctx,
      t.searching,
      {},
      {
        purpose: 'searching',
        lane: 'notice',
        notBefore: Date.now() + deps.searchingNoticeDelayMs,
        onlyWhileSearching: result.searchId,
      },
    );
  } catch (error) {
    return sayFindRefused(ctx, error);
  }
}

/** The answer to a search that could not start (also for "Keep looking and notify me"). */
export async function sayFindRefused(ctx: BotContext, error: unknown): Promise<void> {
  const { t, user, deps } = ctx;
  if (!(error instanceof AppError) || !user) throw error;
  switch (error.code) {
    case 'profile_incomplete':
      return say(ctx, user.rules_accepted_at ? t.incomplete : t.rulesFirst);
    case 'busy': {
      const inChat = (await deps.chats.activeChatOf(user.id)) !== null;
      return say(ctx, inChat ? t.busyChat : t.busyProposal);
    }
    case 'suspended':
      return say(ctx, t.suspended);
    case 'paused':
      return sayPaused(ctx);
    case 'unavailable':
      return say(ctx, t.queueUnavailable);
    case 'not_found':
      return say(ctx, t.rulesFirst);
    default:
      throw error;
  }
}

search.command('find', find);
search.hears(FIND_BUTTONS, find);

search.command('cancel', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.rulesFirst);
  try {
    const { cancelled } = await ctx.deps.searches.cancel(ctx.user.id);
    await say(ctx, cancelled ? ctx.t.cancelled : ctx.t.nothingToCancel);
  } catch (error) {
    if (error instanceof AppError && error.code === 'busy') return say(ctx, ctx.t.busyProposal);
    throw error;
  }
});
