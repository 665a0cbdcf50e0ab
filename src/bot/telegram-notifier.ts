import type { DatabasePool } from 'slonik';
import { getRecipient, type Recipient } from '../db/queries/users.js';
import type { TopicRow } from '../db/queries/topics.js';
import { sharedLocalHours, utcOffsetMinutes } from '../time/waking-hours.js';
import type { Notice, Notifier } from '../notifications/notifier.js';
import type { Outbound } from '../outbound/outbound-queue.js';
import { TEXTS, type Texts } from './i18n/index.js';
import { mainKeyboard, proposalKeyboard, ratingKeyboard } from './keyboards/keyboards.js';

export interface TelegramNotifierDeps {
  db: DatabasePool;
  outbound: Outbound;
  topics: () => Promise<readonly TopicRow[]>;
  wakingHours: { start: number; end: number };
}

/** Key of the proposal message sent to a user; later edits of it refer to this key. */
export const proposalMessageKey = (matchId: number, userId: number) =>
  `m${matchId}-proposal-u${userId}`;

const pad = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

function safeOffset(zone: string): number {
  try {
    return utcOffsetMinutes(zone);
  } catch {
    return 0;
  }
}

/** Renders notices in the user's language and hands them to the outbound queue. */
export function createTelegramNotifier(deps: TelegramNotifierDeps): Notifier {
  const { db, outbound } = deps;

  async function topicTitles(ids: readonly number[], language: 'ru' | 'en'): Promise<string> {
    const catalogue = await deps.topics();
    return ids
      .map((id) => catalogue.find((topic) => topic.id === id))
      .filter((topic): topic is TopicRow => topic !== undefined)
      .map((topic) => (language === 'en' ? topic.title_en : topic.title_ru))
      .join(', ');
  }

  function hoursLine(user: Recipient, partnerTz: string, t: Texts): string {
    const ranges = sharedLocalHours(safeOffset(user.tz), safeOffset(partnerTz), deps.wakingHours);
    if (!ranges.length) return t.noSharedHours;
    return ranges.map((range) => `${pad(range.from)}–${pad(range.to)}`).join(', ');
  }

  async function send(
    user: Recipient,
    key: string,
    text: string,
    extra: Record<string, unknown> = {},
  ) {
    await outbound.enqueue({
      key,
      chatId: user.tg_id!,
      userId: user.id,
      method: 'sendMessage',
      payload: { text, ...extra },
    });
  }

  /** Replaces the proposal message's text and removes its buttons. */
  async function closeProposalMessage(user: Recipient, matchId: number, key: string, text: string) {
    await outbound.enqueue({
      key: `${key}-edit`,
      chatId: user.tg_id!,
      userId: user.id,
      method: 'editMessageText',
      messageRef: proposalMessageKey(matchId, user.id),
      payload: { text, reply_markup: { inline_keyboard: [] } },
    });
  }

  return {
    async notify(userId: number, notice: Notice, key: string) {
      const withPartner = notice.kind === 'proposal' || notice.kind === 'chat.started';
      const user = await getRecipient(
        db,
        userId,
        withPartner ? notice.partnerId : null,
        withPartner ? notice.matchId : null,
      );
      // Deleted users and users who blocked the bot cannot be reached; nothing to do.
      if (!user?.reachable) return;
      const t = TEXTS[user.language];
      switch (notice.kind) {
        case 'proposal':
        case 'chat.started': {
          const { partner_name: name, partner_tz: partnerTz, shared_topic_ids: shared } = user;
          if (name === null || partnerTz === null || shared === null) return;
          const topics = await topicTitles(shared, user.language);
          if (notice.kind === 'proposal') {
            await send(user, key, t.proposal(name, topics, hoursLine(user, partnerTz, t)), {
              reply_markup: proposalKeyboard(t, notice.matchId),
            });
            return;
          }
          // The first to accept still sees "waiting" on their proposal; show the outcome.
          await closeProposalMessage(user, notice.matchId, key, t.matched);
          await send(user, `${key}-intro`, t.intro(name, topics));
          await send(user, `${key}-rules`, t.rules, { reply_markup: mainKeyboard(t, true) });
          return;
        }
        case 'proposal.declined':
          if (notice.role === 'decliner') {
            await closeProposalMessage(user, notice.matchId, key, t.skipped);
            return;
          }
          await closeProposalMessage(user, notice.matchId, key, t.proposalClosed);
          await send(user, key, t.partnerSkipped);
          return;
        case 'proposal.expired': {
          await closeProposalMessage(user, notice.matchId, key, t.proposalExpired);
          const text =
            notice.outcome === 'end_no_answer'
              ? t.expiredNoAnswer
              : notice.outcome === 'end_requeue_limit'
                ? t.expiredLimit
                : t.expiredRequeued;
          await send(user, key, text);
          return;
        }
        case 'search.expired':
          await send(user, key, t.searchExpired(notice.minutes));
          return;
        case 'chat.ended': {
          const text = {
            you: t.chatEndedByYou,
            partner: t.chatEndedByPartner,
            idle: t.chatEndedIdle,
            safety: t.chatEndedSafety,
          }[notice.by];
          await send(user, key, text, { reply_markup: mainKeyboard(t, false) });
          return;
        }
        case 'feedback.request':
          await send(user, key, t.feedbackPrompt, {
            reply_markup: ratingKeyboard(notice.matchId),
          });
          return;
      }
    },
  };
}
