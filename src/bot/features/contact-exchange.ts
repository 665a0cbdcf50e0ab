import { Composer } from 'grammy';
import type { ContactRequestOutcome } from '../../contacts/contact-exchange-service.js';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { contactWithdrawKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';

/**
 * Mutual contact reveal: /contact (during a chat or after it) and the "Exchange contacts"
 * button on the chat-ended message and on the partner's question. Nothing is revealed until
 * both have pressed; the reveal itself arrives as a notice to each of the two.
 */
export const contactExchange = new Composer<BotContext>();

/** The presser's answer: a message with "Withdraw", or one line saying why nothing happened. */
async function tell(ctx: BotContext, outcome: ContactRequestOutcome): Promise<void> {
  const { t } = ctx;
  switch (outcome.kind) {
    case 'requested':
    case 'already':
      await say(ctx, outcome.kind === 'requested' ? t.contactRequested : t.contactAlready, {
        reply_markup: contactWithdrawKeyboard(t, outcome.matchId),
      });
      return;
    case 'revealed':
      return; // the reveal notice is the answer
    case 'none':
      return say(ctx, t.contactNone);
    case 'closed':
      return say(ctx, t.contactClosed(ctx.deps.contacts.windowHours));
    case 'limit':
      return say(ctx, t.contactLimit);
  }
}

contactExchange.command('contact', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.contactNone);
  const outcome = await ctx.deps.contacts.request(ctx.user.id, null, ctx.from?.username ?? null);
  await tell(ctx, outcome);
});

onButton(contactExchange, 'contact', async (ctx, { action, matchId }) => {
  if (!ctx.user) return answer(ctx);
  const { contacts } = ctx.deps;
  if (action === 'withdraw') {
    const outcome = await contacts.withdraw(ctx.user.id, matchId);
    if (outcome === 'withdrawn') {
      await answer(ctx, ctx.t.contactWithdrawn);
      return editPressed(ctx, ctx.t.contactWithdrawn, { reply_markup: { inline_keyboard: [] } });
    }
    return answer(
      ctx,
      outcome === 'revealed' ? ctx.t.contactTooLate : ctx.t.contactNothingToWithdraw,
    );
  }
  const outcome = await contacts.request(ctx.user.id, matchId, ctx.from.username ?? null);
  await answer(ctx);
  await tell(ctx, outcome);
});
