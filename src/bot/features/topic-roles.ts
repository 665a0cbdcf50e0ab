import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { rolesKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';

/** /profile → "Can help / want to learn": a role for each of the user's topics. */
export const topicRoles = new Composer<BotContext>();

/** The user's topics with their titles in the user's language and their roles. */
async function rolesOf(ctx: BotContext) {
  const [catalogue, roles] = await Promise.all([
    ctx.deps.users.topics(),
    ctx.deps.topicRoles.list(ctx.user!.id),
  ]);
  return roles.flatMap((row) => {
    const topic = catalogue.find((entry) => entry.id === row.topic_id);
    if (!topic) return [];
    const title = ctx.user?.language === 'en' ? topic.title_en : topic.title_ru;
    return [{ id: row.topic_id, title, role: row.role }];
  });
}

onButton(topicRoles, 'roles', async (ctx, { done }) => {
  await answer(ctx);
  if (!ctx.user) return say(ctx, ctx.t.rulesFirst);
  const topics = await rolesOf(ctx);
  if (!done) return say(ctx, ctx.t.rolesPrompt, { reply_markup: rolesKeyboard(ctx.t, topics) });
  const titles = (role: 'help' | 'learn') =>
    topics
      .filter((topic) => topic.role === role)
      .map((topic) => topic.title)
      .join(', ');
  await editPressed(ctx, ctx.t.rolesSaved(titles('help'), titles('learn')), {
    reply_markup: { inline_keyboard: [] },
  });
});

onButton(topicRoles, 'role', async (ctx, { topicId }) => {
  if (!ctx.user) return answer(ctx, ctx.t.rulesFirst);
  await ctx.deps.topicRoles.cycle(ctx.user.id, topicId);
  await answer(ctx);
  await editPressed(ctx, ctx.t.rolesPrompt, {
    reply_markup: rolesKeyboard(ctx.t, await rolesOf(ctx)),
  });
});
