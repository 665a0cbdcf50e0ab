import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import { SUGGESTED_ZONES } from '../../users/time-zones.js';
import type { BotContext } from '../context.js';
import { expectReply, isExpecting } from '../conversation.js';
import { languageOf, TEXTS } from '../i18n/index.js';
import { onButton, type TopicsMode } from '../callback-data.js';
import {
  mainKeyboard,
  rulesKeyboard,
  timeZoneKeyboard,
  topicsKeyboard,
} from '../keyboards/keyboards.js';
import type { Texts } from '../i18n/index.js';
import { answer, editPressed, editSent, say, sayKeyed } from '../reply.js';

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
  const accepted = await ctx.deps.users.acceptRules(ctx.user.id);
  await answer(ctx);
  await editPressed(ctx, ctx.t.rules);
  // A second press (a double tap, or an older copy of the rules) has nothing left to answer:
  // one topic picker is enough.
  if (accepted) await showTopics(ctx);
});

/**
 * The picker's first line: what it is for. Every redraw of the picker repeats it, so a tap on
 * a topic does not erase it.
 */
const topicsIntro = (t: Texts, mode: TopicsMode) =>
  mode === 'onboarding' ? t.rulesAccepted : t.editTopics;

const topicsText = (t: Texts, mode: TopicsMode, count: number) =>
  `${topicsIntro(t, mode)}\n${t.topicsPrompt(count)}`;

/**
 * Sends the topic picker. In `onboarding` mode "Done" goes on to the time zone; in `profile`
 * mode it only saves.
 */
export async function showTopics(ctx: BotContext, mode: TopicsMode = 'onboarding'): Promise<void> {
  if (!ctx.user) return;
  const [topics, profile] = await Promise.all([
    ctx.deps.users.topics(),
    ctx.deps.users.profile(ctx.user.id),
  ]);
  const selected = profile?.topic_ids ?? [];
  await say(ctx, topicsText(ctx.t, mode, selected.length), {
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
  await editPressed(ctx, topicsText(ctx.t, mode, selected.length), {
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
  // A second "Done" (a double tap before the buttons went) finds the zone already asked.
  if (mode === 'onboarding' && !(await isExpecting(ctx, 'tz'))) await askTimeZone(ctx);
});

/**
 * Offers the likeliest zones for the user's language and accepts a typed one too. During
 * onboarding nothing is ticked: the stored zone is only the language's default until the user
 * chooses; from /profile the zone they chose is.
 */
export async function askTimeZone(ctx: BotContext, mode: TopicsMode = 'onboarding'): Promise<void> {
  if (!ctx.user) return;
  const chosen = mode === 'profile' ? ctx.user.tz : undefined;
  const promptKey = await sayKeyed(ctx, ctx.t.tzPrompt, {
    reply_markup: timeZoneKeyboard(SUGGESTED_ZONES[ctx.user.language], chosen),
  });
  await expectReply(ctx, 'tz', promptKey);
}

onButton(onboarding, 'tz', async (ctx, { zone }) => {
  if (!ctx.user) return answer(ctx, ctx.t.rulesFirst);
  await answer(ctx);
  await ctx.deps.redis.del(ctx.deps.keys.conversation(ctx.from.id));
  await saveTimeZone(ctx, zone, { pressed: true });
});

/** How the zone arrived: a button of the prompt, or typed in answer to the prompt `typedFor`. */
export type ZoneAnswer = { pressed: true } | { typedFor: string | undefined };

/**
 * Stores a zone the user chose or typed, and says what is next. The prompt keeps no buttons
 * once answered: a pressed prompt becomes the answer itself, a typed answer's prompt loses its
 * buttons, so no stale zone button can act later.
 */
export async function saveTimeZone(ctx: BotContext, input: string, how: ZoneAnswer): Promise<void> {
  if (!ctx.user) return;
  const noButtons = { reply_markup: { inline_keyboard: [] } };
  try {
    const zone = await ctx.deps.users.setTimeZone(ctx.user.id, input);
    if ('pressed' in how) {
      await editPressed(ctx, ctx.t.tzSaved(zone), noButtons);
    } else {
      if (how.typedFor) await editSent(ctx, how.typedFor, ctx.t.tzPrompt, noButtons);
      await say(ctx, ctx.t.tzSaved(zone));
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await expectReply(ctx, 'tz', 'pressed' in how ? undefined : how.typedFor);
    await say(ctx, ctx.t.tzInvalid);
    return;
  }
  const profile = await ctx.deps.users.profile(ctx.user.id);
  if (!profile?.rules_accepted_at || profile.topic_ids.length < 2) return;
  // Someone in a chat is not told "press Find a partner": they are talking to someone now.
  if (await ctx.deps.chats.activeChatOf(ctx.user.id)) return;
  await say(ctx, ctx.t.ready, { reply_markup: mainKeyboard(ctx.t) });
}
