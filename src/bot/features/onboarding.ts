import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import { SUGGESTED_ZONES } from '../../users/time-zones.js';
import type { BotContext } from '../context.js';
import { expectReply } from '../conversation.js';
import { languageOf, TEXTS } from '../i18n/index.js';
import { onButton, type TopicsMode } from '../callback-data.js';
import {
  mainKeyboard,
  rulesKeyboard,
  timeZoneKeyboard,
  topicsKeyboard,
} from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';

/** The sprint's Definition of Ready: rules accepted, at least two topics, a time zone. */
export const onboarding = new Composer<BotContext>();
const privateChats = onboarding.chatType('private');

privateChats.command('start', async (ctx) => {
  const language = ctx.user?.language ?? languageOf(ctx.from.language_code);
  ctx.user = await ctx.deps.users.register(ctx.from, language);
  ctx.t = TEXTS[ctx.user.language];
  await say(ctx, ctx.t.welcome(ctx.user.first_name));
  if (!ctx.user.rules_accepted_at) {
    await say(ctx, ctx.t.rules, { reply_markup: rulesKeyboard(ctx.t) });
    return;
  }
  await say(ctx, ctx.t.ready, { reply_markup: mainKeyboard(ctx.t) });
});

onButton(onboarding, 'rules', async (ctx) => {
  if (!ctx.user) return answer(ctx, ctx.t.rulesFirst);
  await ctx.deps.users.acceptRules(ctx.user.id);
  await answer(ctx);
  await editPressed(ctx, ctx.t.rules);
  await showTopics(ctx, ctx.t.rulesAccepted);
});

/**
 * Sends the topic picker; `intro` is shown above it. In `onboarding` mode "Done" goes on to
 * the time zone; in `profile` mode it only saves.
 */
export async function showTopics(
  ctx: BotContext,
  intro: string,
  mode: TopicsMode = 'onboarding',
): Promise<void> {
  if (!ctx.user) return;
  const [topics, profile] = await Promise.all([
    ctx.deps.users.topics(),
    ctx.deps.users.profile(ctx.user.id),
  ]);
  const selected = profile?.topic_ids ?? [];
  await say(ctx, `${intro}\n${ctx.t.topicsPrompt(selected.length)}`, {
    reply_markup: topicsKeyboard(ctx.t, topics, selected, ctx.user.language, mode),
  });
}

onButton(onboarding, 'topic', async (ctx, { topicId, mode }) => {
  if (!ctx.user) return answer(ctx, ctx.t.rulesFirst);
  let selected: number[];
  try {
    selected = await ctx.deps.users.toggleTopic(ctx.user.id, topicId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return answer(ctx);
    throw error;
  }
  await answer(ctx);
  const topics = await ctx.deps.users.topics();
  await editPressed(ctx, ctx.t.topicsPrompt(selected.length), {
    reply_markup: topicsKeyboard(ctx.t, topics, selected, ctx.user.language, mode),
  });
});

onButton(onboarding, 'topics.done', async (ctx, { mode }) => {
  if (!ctx.user) return answer(ctx, ctx.t.rulesFirst);
  const profile = await ctx.deps.users.profile(ctx.user.id);
  const selected = profile?.topic_ids ?? [];
  if (selected.length < 2) return answer(ctx, ctx.t.topicsNeedTwo);
  await answer(ctx);
  const topics = await ctx.deps.users.topics();
  const titles = topics
    .filter((topic) => selected.includes(topic.id))
    .map((topic) => (ctx.user!.language === 'en' ? topic.title_en : topic.title_ru))
    .join(', ');
  await editPressed(ctx, ctx.t.topicsSaved(titles));
  if (mode === 'onboarding') await askTimeZone(ctx);
});

/** Offers the likeliest zones for the user's language and accepts a typed one too. */
export async function askTimeZone(ctx: BotContext): Promise<void> {
  if (!ctx.user) return;
  await expectReply(ctx, 'tz');
  await say(ctx, ctx.t.tzPrompt, {
    reply_markup: timeZoneKeyboard(SUGGESTED_ZONES[ctx.user.language], ctx.user.tz),
  });
}

onButton(onboarding, 'tz', async (ctx, { zone }) => {
  if (!ctx.user) return answer(ctx, ctx.t.rulesFirst);
  await answer(ctx);
  await ctx.deps.redis.del(ctx.deps.keys.conversation(ctx.from.id));
  await saveTimeZone(ctx, zone);
});

/** Stores a zone the user chose or typed, and says what is next. */
export async function saveTimeZone(ctx: BotContext, input: string): Promise<void> {
  if (!ctx.user) return;
  try {
    const zone = await ctx.deps.users.setTimeZone(ctx.user.id, input);
    await say(ctx, ctx.t.tzSaved(zone));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await expectReply(ctx, 'tz');
    await say(ctx, ctx.t.tzInvalid);
    return;
  }
  const profile = await ctx.deps.users.profile(ctx.user.id);
  if (profile?.rules_accepted_at && profile.topic_ids.length >= 2) {
    await say(ctx, ctx.t.ready, { reply_markup: mainKeyboard(ctx.t) });
  }
}
