import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { ProposalStatus } from '../../proposals/proposal-status.js';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import type { Texts } from '../i18n/index.js';
import { answer } from '../reply.js';

/**
 * The proposal buttons. The acting user is always the one who pressed (callback_query.from),
 * never anything in callback_data, so a forwarded or forged button acts for nobody else.
 */
export const proposals = new Composer<BotContext>();

/**
 * What the button's answer (a toast, which Telegram does not count against the bot's message
 * limits) says. The card itself is edited only by the proposal's effects, and only where the
 * person learns something they did not do themselves: the partner skipped, or time ran out.
 */
function toast(t: Texts, status: ProposalStatus, action: 'accept' | 'decline'): string {
  switch (status) {
    case 'waiting':
      return t.waitingForOther;
    case 'active':
      return t.matched;
    case 'declined':
      return action === 'decline' ? t.skipped : t.proposalClosed;
    case 'expired':
      return t.proposalExpired;
  }
}

onButton(proposals, 'proposal', async (ctx, { answer: action, matchId }) => {
  if (!ctx.user) return answer(ctx, ctx.t.notYours);
  let status;
  try {
    status = await ctx.deps.searches.confirm(matchId, ctx.user.id, action);
  } catch (error) {
    if (error instanceof AppError && (error.code === 'forbidden' || error.code === 'not_found')) {
      return answer(ctx, ctx.t.notYours);
    }
    throw error;
  }
  await answer(ctx, toast(ctx.t, status, action));
});
