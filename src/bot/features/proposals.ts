import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { acceptedKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed } from '../reply.js';

/**
 * The proposal buttons. The acting user is always the one who pressed (callback_query.from),
 * never anything in callback_data, so a forwarded or forged button acts for nobody else.
 */
export const proposals = new Composer<BotContext>();

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
  await answer(ctx);
  // A decided proposal's message is rewritten by the proposal's own effects (for both people,
  // however the answer arrived), so editing it here too would only spend a Bot API call on
  // an edit that changes nothing. While waiting, "Skip" stays so the user can still change
  // their mind.
  if (status !== 'waiting') return;
  await editPressed(ctx, withLine(pressedText(ctx), ctx.t.waitingForOther), {
    reply_markup: acceptedKeyboard(ctx.t, matchId),
  });
});

/** The text of the message whose button was pressed, as the user sees it now. */
function pressedText(ctx: BotContext): string | undefined {
  const message = ctx.callbackQuery?.message;
  return message && 'text' in message ? message.text : undefined;
}

/**
 * The card with `line` added below it: whoever accepted still sees whom they accepted (the
 * name, the shared topics and hours). Added once, however often the button is pressed.
 */
function withLine(card: string | undefined, line: string): string {
  if (!card) return line;
  return card.endsWith(line) ? card : `${card}\n\n${line}`;
}
