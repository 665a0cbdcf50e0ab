import type { DatabasePool } from 'slonik';
import { getRecipient, type Recipient } from '../db/queries/users.js';
import type { TopicRow } from '../db/queries/topics.js';
import { sharedLocalHours, utcOffsetMinutes } from '../time/waking-hours.js';
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

/** How renderers reach the user: the outbound queue, and what the partner looks like. */
interface Sink {
  send(user: Recipient, key: string, text: string, extra?: OutboundExtra): Promise<void>;
  /** Replaces the proposal message's text and removes its buttons. */
  closeProposal(user: Recipient, matchId: number, key: string, text: string): Promise<void>;
  /** The partner's name, the shared topics and hours, or null if the partner is gone. */
  partner(
    user: Recipient,
    t: Texts,
  ): Promise<{ name: string; topics: string; hours: string } | null>;
}

/** One function per notice kind: the messages that tell the user about it. */
const RENDER: { [K in NoticeKind]: (sink: Sink, delivery: Delivery<K>) => Promise<void> } = {
  async proposal(sink, { user, notice, t, key }) {
    const partner = await sink.partner(user, t);
    if (!partner) return;
    await sink.send(user, key, t.proposal(partner.name, partner.topics, partner.hours), {
      reply_markup: proposalKeyboard(t, notice.matchId),
    });
  },
  async 'chat.started'(sink, { user, notice, t, key }) {
    const partner = await sink.partner(user, t);
    if (!partner) return;
    // The first to accept still sees "waiting" on their proposal; show the outcome.
    await sink.closeProposal(user, notice.matchId, key, t.matched);
    await sink.send(user, messageKeys.part(key, 'intro'), t.intro(partner.name, partner.topics));
    await sink.send(user, messageKeys.part(key, 'rules'), t.rules, {
      reply_markup: mainKeyboard(t, true),
    });
  },
  async 'proposal.declined'(sink, { user, notice, t, key }) {
    if (notice.role === 'decliner') {
      return sink.closeProposal(user, notice.matchId, key, t.skipped);
    }
    await sink.closeProposal(user, notice.matchId, key, t.proposalClosed);
    await sink.send(user, key, t.partnerSkipped);
  },
  async 'proposal.expired'(sink, { user, notice, t, key }) {
    await sink.closeProposal(user, notice.matchId, key, t.proposalExpired);
    const text = {
      end_no_answer: t.expiredNoAnswer,
      end_requeue_limit: t.expiredLimit,
      requeue: t.expiredRequeued,
      requeue_expired: t.expiredRequeued,
    }[notice.outcome];
    await sink.send(user, key, text);
  },
  'search.expired': (sink, { user, notice, t, key }) =>
    sink.send(user, key, t.searchExpired(notice.minutes)),
  'chat.ended': (sink, { user, notice, t, key }) => {
    const text = {
      you: t.chatEndedByYou,
      partner: t.chatEndedByPartner,
      idle: t.chatEndedIdle,
      safety: t.chatEndedSafety,
    }[notice.by];
    return sink.send(user, key, text, { reply_markup: mainKeyboard(t, false) });
  },
  'feedback.request': (sink, { user, notice, t, key }) =>
    sink.send(user, key, t.feedbackPrompt, { reply_markup: ratingKeyboard(notice.matchId) }),
};

function render<K extends NoticeKind>(sink: Sink, delivery: Delivery<K>): Promise<void> {
  return RENDER[delivery.notice.kind](sink, delivery);
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

  /** `queued.unlessDelivered`: a repair re-sends only what never arrived. */
  const sinkFor = (queued: { unlessDelivered?: boolean }): Sink => ({
    send: (user, key, text, extra = {}) =>
      outbound.enqueue(
        {
          key,
          chatId: user.tg_id!,
          userId: user.id,
          method: 'sendMessage',
          payload: { text, ...extra },
        },
        queued,
      ),
    closeProposal: (user, matchId, key, text) =>
      outbound.enqueue(
        {
          key: messageKeys.part(key, 'edit'),
          chatId: user.tg_id!,
          userId: user.id,
          method: 'editMessageText',
          messageRef: messageKeys.proposal(matchId, user.id),
          payload: { text, reply_markup: { inline_keyboard: [] } },
        },
        queued,
      ),
    async partner(user, t) {
      const { partner_name: name, partner_tz: tz, shared_topic_ids: shared } = user;
      if (name === null || tz === null || shared === null) return null;
      return {
        name,
        topics: await topicTitles(shared, user.language),
        hours: hoursLine(user, tz, t),
      };
    },
  });

  return {
    async notify(userId, notice, options = {}) {
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
      const sink = sinkFor({ unlessDelivered: options.onlyUndelivered });
      await render(sink, { user, notice, t: TEXTS[user.language], key });
    },
  };
}

type OutboundExtra = Omit<OutboundPayload<'sendMessage'>, 'text'>;
