import type { DatabasePool } from 'slonik';
import type { Recipient } from '../db/queries/users.js';
import { createRecipientLoader } from '../db/recipient-loader.js';
import type { TopicRow } from '../db/queries/topics.js';
import { sharedLocalHours, utcOffsetMinutes } from '../time/waking-hours.js';
import type { Notice, Notifier } from '../notifications/notifier.js';
import type { Outbound } from '../outbound/outbound-queue.js';
import type { OutboundLane } from '../outbound/outbound-message.js';
import { TEXTS, type Texts } from './i18n/index.js';
import { messageKeys } from './message-keys.js';
import { render, type NoticePurpose, type Sink } from './notice-render.js';

export interface TelegramNotifierDeps {
  db: DatabasePool;
  outbound: Outbound;
  topics: () => Promise<readonly TopicRow[]>;
  wakingHours: { start: number; end: number };
  /** SKIP_NOTICE_HOLD_MS: see closeProposal's `untilNewProposal`; 0 closes the card at once. */
  skipNoticeHoldMs: number;
}

const pad = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

function safeOffset(zone: string): number {
  try {
    return utcOffsetMinutes(zone);
  } catch {
    return 0;
  }
}

/** The match a notice is about, when its message shows the partner (their name, topics, hours). */
const matchOfCard = (notice: Notice): number | null =>
  notice.kind === 'proposal' ||
  notice.kind === 'chat.started' ||
  notice.kind === 'proposal.declined' ||
  notice.kind === 'proposal.expired' ||
  notice.kind === 'chat.ended' ||
  notice.kind === 'again.saved'
    ? notice.matchId
    : null;

/** What the notices send, and the lane each goes in: see OutboundLane. */
const LANE_OF: Record<NoticePurpose, OutboundLane> = {
  proposal: 'search',
  chat_open: 'search',
  search_expired: 'notice',
  chat_ended: 'notice',
  contact: 'notice',
  pause_ended: 'notice',
  moderation: 'notice',
};

/** Renders notices in the user's language and hands them to the outbound queue. */
export function createTelegramNotifier(deps: TelegramNotifierDeps): Notifier {
  const { outbound, skipNoticeHoldMs: holdMs } = deps;
  // Notices sent together (both messages of a new proposal) read their recipients at once.
  const recipient = createRecipientLoader(deps.db);

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
    send: (user, purpose, key, text, extra = {}) =>
      outbound.enqueue(
        {
          key,
          chatId: user.tg_id!,
          userId: user.id,
          lane: LANE_OF[purpose],
          purpose,
          ...(purpose === 'proposal' && user.first_requested_at
            ? { requestedAt: user.first_requested_at.getTime() }
            : {}),
          method: 'sendMessage',
          payload: { text, ...extra },
        },
        queued,
      ),
    closeProposal: (user, matchId, key, text, { untilNewProposal = false } = {}) =>
      outbound.enqueue(
        {
          // Held even at 0 (the outbound queue holds it whenever it is due), so that it is
          // always settled and the next card knows whether to say it (see settleSkipNotice).
          ...(untilNewProposal ? { notBefore: Date.now() + holdMs, skipNoticeOf: matchId } : {}),
          key: messageKeys.part(key, 'edit'),
          chatId: user.tg_id!,
          userId: user.id,
          method: 'editMessageText',
          lane: 'search',
          purpose: 'proposal_closed',
          messageRef: messageKeys.proposal(matchId, user.id),
          payload: { text, reply_markup: { inline_keyboard: [] } },
        },
        queued,
      ),
    edit: (user, purpose, key, ref, text) =>
      outbound.enqueue(
        {
          key,
          chatId: user.tg_id!,
          userId: user.id,
          method: 'editMessageText',
          lane: LANE_OF[purpose],
          purpose,
          messageRef: ref,
          payload: { text, reply_markup: { inline_keyboard: [] } },
        },
        queued,
      ),
    async partner(user, t) {
      const { partner_name: name, partner_tz: tz, shared_topic_ids: shared } = user;
      if (name === null || tz === null || shared === null) return null;
      const [helps, learns] = await Promise.all([
        topicTitles(user.partner_helps_ids, user.language),
        topicTitles(user.partner_learns_ids, user.language),
      ]);
      return {
        name,
        topics: await topicTitles(shared, user.language),
        hours: hoursLine(user, tz, t),
        help: [helps && t.canHelp(name, helps), learns && t.wantsToLearn(name, learns)]
          .filter(Boolean)
          .join('\n'),
      };
    },
  });

  return {
    async notify(userId, notice, options = {}) {
      const user = await recipient(userId, matchOfCard(notice));
      // Deleted users and users who blocked the bot cannot be reached; nothing to do.
      if (!user?.reachable) return;
      const key = messageKeys.notice(userId, notice);
      const sink = sinkFor({ unlessDelivered: options.onlyUndelivered });
      await render(sink, { user, notice, t: TEXTS[user.language], key });
    },
  };
}
