import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { deleteKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';

/** /delete with a confirmation step, then erasure everywhere; the user blocking the bot. */
export const account = new Composer<BotContext>();

account.command('delete', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.deleteDone);
  await say(ctx, ctx.t.deleteConfirm, { reply_markup: deleteKeyboard(ctx.t) });
});

onButton(account, 'delete', async (ctx, { confirmed }) => {
  await answer(ctx);
  if (!confirmed) {
    return editPressed(ctx, ctx.t.deleteCancelled, { reply_markup: { inline_keyboard: [] } });
  }
  if (ctx.user) await ctx.deps.accounts.erase(ctx.user.id);
  // The user row is gone, so these go by chat id only; they are the last messages we send,
  // and they leave no record of the chat behind.
  ctx.user = null;
  const gone = { ephemeral: true };
  await editPressed(ctx, ctx.t.deleteDone, { reply_markup: { inline_keyboard: [] } }, gone);
  await say(ctx, ctx.t.deleteDone, { reply_markup: { remove_keyboard: true } }, gone);
});

// Telegram tells the bot when the user blocks it (kicked) before any send fails with 403.
// Unblocking (status member again) or simply writing again makes them reachable again.
account.on('my_chat_member', async (ctx) => {
  const status = ctx.myChatMember.new_chat_member.status;
  if (ctx.chat.type !== 'private' || !ctx.user) return;
  if (status === 'kicked') await ctx.deps.accounts.markBotBlocked(ctx.user.id);
  else if (status === 'member') await ctx.deps.users.reactivate(ctx.user.id);
});
