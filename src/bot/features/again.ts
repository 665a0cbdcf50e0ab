import { Composer, type CallbackQueryContext } from 'grammy';
import { AppError } from '../../errors.js';
import type { InviteOutcome } from '../../again/again-service.js';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import type { Texts } from '../i18n/index.js';
import { againListKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';

/**
 * Chat again: "I'd chat again" after a chat, /again (the saved partners, to invite or
 * remove), and the answers to a direct proposal. The acting user is always the one who
 * pressed; ids in the buttons are checked against them by the service.
 */
export const again = new Composer<BotContext>();

async function showList(ctx: BotContext, edit: boolean): Promise<void> {
  if (!ctx.user) return say(ctx, ctx.t.againNone);
  const partners = await ctx.deps.again.partners(ctx.user.id);
  const text = partners.length ? ctx.t.againList : ctx.t.againNone;
  const extra = { reply_markup: againListKeyboard(ctx.t, partners) };
  await (edit ? editPressed(ctx, text, extra) : say(ctx, text, extra));
}

again.command('again', (ctx) => showList(ctx, false));

/** "HH:MM" in the user's own time zone. */
function localTime(at: number, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' });
  try {
    return format(timeZone).format(at);
  } catch {
    return `${format('UTC').format(at)} UTC`;
  }
}

function inviteAnswer(t: Texts, outcome: InviteOutcome, name: string, tz: string): string {
  switch (outcome.kind) {
    case 'sent':
      return t.againSent;
    case 'held':
      return t.againHeld(name, localTime(outcome.at, tz));
    case 'already_held':
      return t.againAlreadyHeld(name);
    case 'busy':
      return t.againBusy;
    case 'refused':
      return t.againRefused;
    case 'paused':
      return t.againPaused;
    case 'partner_unavailable':
      return t.againPartnerBusy(name);
    case 'not_saved':
      return t.againNotSaved;
  }
}

type Pressed = CallbackQueryContext<BotContext>;

async function wish(ctx: Pressed, matchId: number, userId: number): Promise<void> {
  try {
    const { saved, partnerName } = await ctx.deps.again.wish(matchId, userId);
    await answer(
      ctx,
      saved ? ctx.t.againWishSaved(partnerName) : ctx.t.againWishNoted(partnerName),
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden') return answer(ctx, ctx.t.notYours);
    throw error;
  }
}

async function invite(ctx: Pressed, partnerId: number, userId: number, tz: string) {
  const partner = (await ctx.deps.again.partners(userId)).find((p) => p.user_id === partnerId);
  if (!partner) return answer(ctx, ctx.t.againNotSaved);
  const outcome = await ctx.deps.again.invite(userId, partnerId);
  await answer(ctx);
  // A message rather than a toast: a held invitation's time is worth keeping on screen.
  await say(ctx, inviteAnswer(ctx.t, outcome, partner.first_name, tz));
}

/** Yes or no to a direct proposal, through the proposal's actor like any other answer. */
async function reply(ctx: Pressed, matchId: number, userId: number, accept: boolean) {
  let status;
  try {
    status = await ctx.deps.searches.confirm(matchId, userId, accept ? 'accept' : 'decline');
  } catch (error) {
    if (error instanceof AppError && (error.code === 'forbidden' || error.code === 'not_found')) {
      return answer(ctx, ctx.t.notYours);
    }
    throw error;
  }
  if (status === 'active') return answer(ctx, ctx.t.matched);
  if (status === 'expired') return answer(ctx, ctx.t.proposalExpired);
  if (status === 'waiting') return answer(ctx, ctx.t.waitingForOther);
  if (accept) return answer(ctx, ctx.t.proposalClosed);
  const inviter = await ctx.deps.again.isInviter(matchId, userId);
  await answer(ctx, inviter ? ctx.t.againWithdrawn : ctx.t.againSkipped);
}

onButton(again, 'again', async (ctx, { action, id }) => {
  const user = ctx.user;
  if (!user) return answer(ctx, ctx.t.notYours);
  switch (action) {
    case 'wish':
      return wish(ctx, id, user.id);
    case 'invite':
      return invite(ctx, id, user.id, user.tz);
    case 'remove':
      await ctx.deps.again.remove(user.id, id);
      await answer(ctx, ctx.t.againRemoved);
      return showList(ctx, true);
    case 'yes':
    case 'no':
      return reply(ctx, id, user.id, action === 'yes');
  }
});
