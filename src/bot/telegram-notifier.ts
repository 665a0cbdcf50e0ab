import type { DatabasePool } from 'slonik';
import { getRecipient, type Recipient } from '../db/queries/users.js';
import type { TopicRow } from '../db/queries/topics.js';
import { sharedLocalHours, utcOffsetMinutes } from '../matcher/score.js';
import type { Notice, NoticeKind, Notifier } from '../notifications/notifier.js';
import type { Outbound } from '../outbound/outbound-queue.js';
import type { OutboundPayload } from '../outbound/outbound-message.js';
import { TEXTS, type Texts } from './i18n/index.js';
import { mainKeyboard, proposalKeyboard, ratingKeyboard } from './keyboards/keyboards.js';
import { messageKeys } from './message-keys.js';

export interface TelegramNotifierDeps {
  db: DatabasePool;
  outbound: Outbound;
  topics: () => Promise<readonly TopicRow[]>;
  wakingHours: { start: number; end: number };
}

const pad = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

function safeOffset(zone: string): number {
  try {
    return utcOffsetMinutes(zone);
  } catch {
    return 0;
  }
}

const needsPartner = (notice: Notice): notice is Extract<Notice, { partnerId: number }> =>
  notice.kind === 'proposal' || notice.kind === 'chat.started';

/** One notice, rendered for one reachable user whose texts are `t`, under message key `key`. */
interface Delivery<K extends NoticeKind> {
  user: Recipient;
  notice: Extract<Notice, { kind: K }>;
  t: Texts;
  key: string;
}
type Renderers = { [K in NoticeKind]: (delivery: Delivery<K>) => Promise<void> };

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

  const send = (user: Recipient, key: string, text: string, extra: OutboundExtra = {}) =>
    outbound.enqueue({
      key,
      chatId: user.tg_id!,
      userId: user.id,
      method: 'sendMessage',
      payload: { text, ...extra },
    });

  /** Replaces the proposal message's text and removes its buttons. */
  const closeProposalMessage = (user: Recipient, matchId: number, key: string, text: string) =>
    outbound.enqueue({
      key: messageKeys.part(key, 'edit'),
      chatId: user.tg_id!,
      userId: user.id,
      method: 'editMessageText',
      messageRef: messageKeys.proposal(matchId, user.id),
      payload: { text, reply_markup: { inline_keyboard: [] } },
    });

  /** The partner's name, time zone and the shared topics, or null if the partner is gone. */
  async function partnerOf(user: Recipient) {
    const { partner_name: name, partner_tz: tz, shared_topic_ids: shared } = user;
    if (name === null || tz === null || shared === null) return null;
    return { name, tz, topics: await topicTitles(shared, user.language) };
  }

  const render: Renderers = {
    async proposal({ user, notice, t, key }) {
      const partner = await partnerOf(user);
      if (!partner) return;
      await send(
        user,
        key,
        t.proposal(partner.name, partner.topics, hoursLine(user, partner.tz, t)),
        {
          reply_markup: proposalKeyboard(t, notice.matchId),
        },
      );
    },
    async 'chat.started'({ user, notice, t, key }) {
      const partner = await partnerOf(user);
      if (!partner) return;
      // The first to accept still sees "waiting" on their proposal; show the outcome.
      await closeProposalMessage(user, notice.matchId, key, t.matched);
      await send(user, messageKeys.part(key, 'intro'), t.intro(partner.name, partner.topics));
      await send(user, messageKeys.part(key, 'rules'), t.rules, {
        reply_markup: mainKeyboard(t, true),
      });
    },
    async 'proposal.declined'({ user, notice, t, key }) {
      if (notice.role === 'decliner') {
        return closeProposalMessage(user, notice.matchId, key, t.skipped);
      }
      await closeProposalMessage(user, notice.matchId, key, t.proposalClosed);
      await send(user, key, t.partnerSkipped);
    },
    async 'proposal.expired'({ user, notice, t, key }) {
      await closeProposalMessage(user, notice.matchId, key, t.proposalExpired);
      const text = {
        end_no_answer: t.expiredNoAnswer,
        end_requeue_limit: t.expiredLimit,
        requeue: t.expiredRequeued,
        requeue_expired: t.expiredRequeued,
      }[notice.outcome];
      await send(user, key, text);
    },
    'search.expired': ({ user, notice, t, key }) =>
      send(user, key, t.searchExpired(notice.minutes)),
    'chat.ended': ({ user, notice, t, key }) => {
      const text = {
        you: t.chatEndedByYou,
        partner: t.chatEndedByPartner,
        idle: t.chatEndedIdle,
        safety: t.chatEndedSafety,
      }[notice.by];
      return send(user, key, text, { reply_markup: mainKeyboard(t, false) });
    },
    'feedback.request': ({ user, notice, t, key }) =>
      send(user, key, t.feedbackPrompt, { reply_markup: ratingKeyboard(notice.matchId) }),
  };

  async function deliver<K extends NoticeKind>(delivery: Delivery<K>): Promise<void> {
    await render[delivery.notice.kind](delivery);
  }

  return {
    async notify(userId, notice) {
      const partner = needsPartner(notice) ? notice : null;
      const user = await getRecipient(
        db,
        userId,
        partner?.partnerId ?? null,
        partner?.matchId ?? null,
      );
      // Deleted users and users who blocked the bot cannot be reached; nothing to do.
      if (!user?.reachable) return;
      const key = messageKeys.notice(userId, notice);
      await deliver({ user, notice, t: TEXTS[user.language], key });
    },
  };
}

type OutboundExtra = Omit<OutboundPayload<'sendMessage'>, 'text'>;
