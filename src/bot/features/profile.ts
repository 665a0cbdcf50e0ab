import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { TEXTS } from '../i18n/index.js';
import {
  languageKeyboard,
  mainKeyboard,
  profileKeyboard,
  ROLE_MARK,
} from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';
import { askTimeZone, showTopics } from './onboarding.js';

/** /profile (topics, time zone, rating, language, each editable) and /lang. */
export const profile = new Composer<BotContext>();

profile.command('profile', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.rulesFirst);
  const [data, topics, rating, roles] = await Promise.all([
    ctx.deps.users.profile(ctx.user.id),
    ctx.deps.users.topics(),
    ctx.deps.users.rating(ctx.user.id),
    ctx.deps.topicRoles.list(ctx.user.id),
  ]);
  if (!data) return say(ctx, ctx.t.rulesFirst);
  // A topic's role shows as its mark: 🤝 can help, 🎓 wants to learn.
  const mark = (id: number) => {
    const role = roles.find((row) => row.topic_id === id)?.role;
    return role ? ` ${ROLE_MARK[role]}` : '';
  };
  const titles =
    topics
      .filter((topic) => data.topic_ids.includes(topic.id))
      .map(
        (topic) => `${data.language === 'en' ? topic.title_en : topic.title_ru}${mark(topic.id)}`,
      )
      .join(', ') || '—';
  const ratingText =
    rating.average === null ? ctx.t.noRating : `${rating.average.toFixed(1)} / 5 (${rating.count})`;
  await say(ctx, ctx.t.profile(titles, data.tz, ratingText, ctx.t.language), {
    reply_markup: profileKeyboard(ctx.t),
  });
});

/** In both languages: the user may not read the current one. */
const LANGUAGE_PROMPT = 'Язык / Language';

const chooseLanguage = async (ctx: BotContext) => {
  await say(ctx, LANGUAGE_PROMPT, { reply_markup: languageKeyboard() });
};
profile.command('lang', chooseLanguage);

onButton(profile, 'profile', async (ctx, { field }) => {
  await answer(ctx);
  if (field === 'topics') return showTopics(ctx, 'profile');
  if (field === 'tz') return askTimeZone(ctx, 'profile');
  await chooseLanguage(ctx);
});

onButton(profile, 'lang', async (ctx, { language }) => {
  if (!ctx.user) return answer(ctx, ctx.t.rulesFirst);
  await ctx.deps.users.setLanguage(ctx.user.id, language);
  ctx.t = TEXTS[language];
  await answer(ctx);
  // The question is answered: its buttons go, and it shows the choice.
  await editPressed(ctx, `${LANGUAGE_PROMPT}\n✅ ${ctx.t.language}`, {
    reply_markup: { inline_keyboard: [] },
  });
  await say(ctx, ctx.t.languageSaved, { reply_markup: mainKeyboard(ctx.t) });
});
