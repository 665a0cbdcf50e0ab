import { Composer } from 'grammy';
import type { AppealCard, ReportCard, WindowFigures } from '../../safety/moderation-service.js';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { TEXTS, type Texts } from '../i18n/index.js';
import { appealDecisionKeyboard, reportDecisionKeyboard } from '../keyboards/keyboards.js';
import { messageKeys } from '../message-keys.js';
import { answer, editPressed, say } from '../reply.js';

/**
 * Operators (ADMIN_TELEGRAM_IDS): each report and appeal reaches them as it arrives, with
 * buttons to decide it; /stats shows the figures. A suspended person has one /appeal.
 */
export const moderation = new Composer<BotContext>();

const isAdmin = (ctx: BotContext) =>
  ctx.from !== undefined && ctx.deps.admins.includes(ctx.from.id);

function reportText(t: Texts, card: ReportCard): string {
  return t.modReport({
    id: card.id,
    reason: card.reason,
    reported: card.reported_id,
    against: card.reports_against,
    suspended: card.suspended,
    reporter: t.modUser(card.reporter_id),
    filed: card.reporter_reports,
    dismissed: card.reporter_dismissed,
    status: t.modStatus[card.status],
  });
}

function appealText(t: Texts, card: AppealCard): string {
  return t.modAppeal({
    id: card.id,
    user: card.user_id,
    reports: card.reports_against,
    text: card.text,
    status: t.modAppealStatus(card.outcome, card.suspended),
  });
}

/** Sends each operator one message, in their language (Russian, the default, if unknown). */
async function tellAdmins(
  ctx: BotContext,
  keyOf: (adminTgId: number) => string,
  render: (t: Texts) => { text: string; markup: ReturnType<typeof reportDecisionKeyboard> },
): Promise<void> {
  for (const adminTgId of ctx.deps.admins) {
    const admin = await ctx.deps.users.byTelegramId(adminTgId);
    const { text, markup } = render(TEXTS[admin?.language ?? 'ru']);
    await ctx.deps.outbound.enqueue({
      key: keyOf(adminTgId),
      chatId: adminTgId,
      userId: admin?.id,
      method: 'sendMessage',
      lane: 'notice',
      purpose: 'moderation',
      payload: { text, reply_markup: markup },
    });
  }
}

/** A report just filed reaches every operator: never the chat, only what the reporter typed. */
export async function reportToAdmins(ctx: BotContext, reportId: number): Promise<void> {
  if (!ctx.deps.admins.length) return;
  const card = await ctx.deps.moderation.readReport(reportId);
  if (!card) return;
  await tellAdmins(
    ctx,
    (admin) => messageKeys.adminReport(reportId, admin),
    (t) => ({ text: reportText(t, card), markup: reportDecisionKeyboard(t, reportId) }),
  );
}

moderation.command('appeal', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.appealNotSuspended);
  const text = ctx.match.trim();
  if (!ctx.user.suspended_at) return say(ctx, ctx.t.appealNotSuspended);
  if (!text) return say(ctx, ctx.t.appealPrompt);
  const outcome = await ctx.deps.moderation.appeal(ctx.user.id, text);
  if (outcome.kind === 'not_suspended') return say(ctx, ctx.t.appealNotSuspended);
  if (outcome.kind === 'already') return say(ctx, ctx.t.appealAlready);
  const { appeal } = outcome;
  await tellAdmins(
    ctx,
    (admin) => messageKeys.adminAppeal(appeal.id, admin),
    (t) => ({ text: appealText(t, appeal), markup: appealDecisionKeyboard(t, appeal.id) }),
  );
  await say(ctx, ctx.t.appealSent);
});

const percent = (part: number, whole: number) =>
  whole ? `${Math.round((100 * part) / whole)}%` : '—';

function windowText(t: Texts, f: WindowFigures): string {
  return t.statsWindow({
    newPeople: f.new_people,
    searches: f.searches,
    proposals: f.proposals,
    acceptRate: percent(f.accepted, f.decided),
    chats: f.chats,
  });
}

moderation.command('stats', async (ctx) => {
  if (!isAdmin(ctx)) return say(ctx, ctx.t.adminOnly);
  const [day, week] = await Promise.all([
    ctx.deps.moderation.figures(24),
    ctx.deps.moderation.figures(24 * 7),
  ]);
  await say(ctx, ctx.t.stats(windowText(ctx.t, day), windowText(ctx.t, week), week.people));
});

onButton(moderation, 'mod.report', async (ctx, { action, reportId }) => {
  if (!isAdmin(ctx)) return answer(ctx, ctx.t.adminOnly);
  const card = await ctx.deps.moderation.decideReport(reportId, action, ctx.from.id);
  if (!card) return answer(ctx, ctx.t.modGone);
  await answer(ctx, ctx.t.modDone);
  // The card shows the report as it now stands; its buttons stay for a later decision.
  await editPressed(ctx, reportText(ctx.t, card), {
    reply_markup: reportDecisionKeyboard(ctx.t, reportId),
  });
});

onButton(moderation, 'mod.appeal', async (ctx, { lift, appealId }) => {
  if (!isAdmin(ctx)) return answer(ctx, ctx.t.adminOnly);
  const card = await ctx.deps.moderation.decideAppeal(appealId, lift, ctx.from.id);
  if (!card) return answer(ctx, ctx.t.modGone);
  await answer(ctx, ctx.t.modDone);
  await editPressed(ctx, appealText(ctx.t, card), {
    reply_markup: appealDecisionKeyboard(ctx.t, appealId),
  });
});
