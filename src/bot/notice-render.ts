import type { Recipient } from '../db/queries/users.js';
import type { Notice, NoticeKind } from '../notifications/notifier.js';
import type { OutboundPayload, OutboundPurpose } from '../outbound/outbound-message.js';
import type { Texts } from './i18n/index.js';
import {
  contactRequestKeyboard,
  mainKeyboard,
  proposalKeyboard,
  ratingKeyboard,
  standingKeyboard,
} from './keyboards/keyboards.js';
import { CONTACT_RENDER } from './contact-notices.js';
import { DIRECT_RENDER, renderAgainSaved } from './again-notices.js';

// What each notice says and how it is sent (one send or one edit); the notifier
// (telegram-notifier.ts) finds the recipient and hands the rendered message to the queue.

/** What the notices send (see OutboundPurpose); the notifier gives each its lane. */
export type NoticePurpose = Extract<
  OutboundPurpose,
  | 'proposal'
  | 'chat_open'
  | 'search_expired'
  | 'chat_ended'
  | 'contact'
  | 'pause_ended'
  | 'moderation'
>;

/** One notice, rendered for one reachable user whose texts are `t`, under message key `key`. */
export interface Delivery<K extends NoticeKind> {
  user: Recipient;
  notice: Extract<Notice, { kind: K }>;
  t: Texts;
  key: string;
}

/** How renderers reach the user: the outbound queue, and what the partner looks like. */
export interface Sink {
  send(
    user: Recipient,
    purpose: NoticePurpose,
    key: string,
    text: string,
    extra?: OutboundExtra,
  ): Promise<void>;
  /**
   * Replaces the proposal message's text and removes its buttons. `untilNewProposal`: only
   * if no new proposal comes within a moment (SKIP_NOTICE_HOLD_MS), whose card says it.
   */
  closeProposal(
    user: Recipient,
    matchId: number,
    key: string,
    text: string,
    options?: { untilNewProposal?: boolean },
  ): Promise<void>;
  /** Replaces the text of the message sent under `ref` and removes its buttons. */
  edit(
    user: Recipient,
    purpose: NoticePurpose,
    key: string,
    ref: string,
    text: string,
  ): Promise<void>;
  /**
   * The partner's name, the shared topics and hours, and who can help whom with which shared
   * topic (empty when nobody), or null if the partner is gone.
   */
  partner(
    user: Recipient,
    t: Texts,
  ): Promise<{ name: string; topics: string; hours: string; help: string } | null>;
}

// Every message here counts against Telegram's limits (about 30 a second in all, one a second
// per chat), so each notice is one send or one edit: what a person must know, said once.
const EXPIRY_TEXT = {
  end_no_answer: 'expiredNoAnswer',
  end_requeue_limit: 'expiredLimit',
  requeue: 'expiredRequeued',
  requeue_expired: 'expiredRequeued',
} as const;

const ENDED_TEXT = {
  you: 'chatEndedByYou',
  partner: 'chatEndedByPartner',
  idle: 'chatEndedIdle',
  safety: 'chatEndedSafety',
} as const;

/** The proposal card rewritten to say how it ended, still showing whom it was for. */
async function closeCard(
  sink: Sink,
  { user, t, key }: Pick<Delivery<NoticeKind>, 'user' | 't' | 'key'>,
  matchId: number,
  outcome: string,
  options?: { untilNewProposal?: boolean },
): Promise<void> {
  const partner = await sink.partner(user, t);
  const text = partner
    ? t.proposalClosedCard(partner.name, partner.topics, partner.hours, outcome)
    : outcome;
  await sink.closeProposal(user, matchId, key, text, options);
}

/** One function per notice kind: the message that tells the user about it. */
const RENDER: { [K in NoticeKind]: (sink: Sink, delivery: Delivery<K>) => Promise<void> } = {
  async proposal(sink, { user, notice, t, key }) {
    const partner = await sink.partner(user, t);
    if (!partner) return;
    const text = [
      // The previous card was left as it was (see 'proposal.declined'): this one says why.
      user.follows_partner_skip === true && t.previousSkipped,
      t.proposal(partner.name, partner.topics, partner.hours, partner.help),
      // The partner asked to be notified and is not watching the chat: their answer may be slow.
      user.partner_standing && t.standingSlowPartner,
    ]
      .filter(Boolean)
      .join('\n\n');
    await sink.send(user, 'proposal', key, text, {
      reply_markup: proposalKeyboard(t, notice.matchId),
    });
  },
  // The proposal cards are left as they are: the button's answer told the second to accept,
  // and this message (a new one, so that it notifies) tells both.
  async 'chat.started'(sink, { user, t, key }) {
    const partner = await sink.partner(user, t);
    if (!partner) return;
    await sink.send(
      user,
      'chat_open',
      key,
      t.chatOpen(t.intro(partner.name, partner.topics), t.rules),
      {
        reply_markup: mainKeyboard(t),
      },
    );
  },
  // Whoever skipped was told by the button's answer; the other learns it from their card, or,
  // when their search finds someone else within a moment, from the new card instead: most do
  // (77% within 1.5 s, bench/ACCEPTANCE-NOTES.md), and that saves the edit. Buttons left on
  // the old card answer that it is closed.
  async 'proposal.declined'(sink, delivery) {
    if (delivery.notice.role === 'decliner') return;
    await closeCard(sink, delivery, delivery.notice.matchId, delivery.t.partnerSkipped, {
      untilNewProposal: true,
    });
  },
  'proposal.expired': (sink, delivery) =>
    closeCard(
      sink,
      delivery,
      delivery.notice.matchId,
      delivery.t[EXPIRY_TEXT[delivery.notice.outcome]],
    ),
  // With "Keep looking and notify me": the person who wanted a partner may leave it standing.
  'search.expired': (sink, { user, notice, t, key }) =>
    sink.send(user, 'search_expired', key, t.searchExpired(notice.minutes), {
      reply_markup: standingKeyboard(t, 'start'),
    }),
  'chat.ended': (sink, { user, notice, t, key }) => {
    const ended = t[ENDED_TEXT[notice.by]];
    if (!notice.rate) return sink.send(user, 'chat_ended', key, ended);
    // Beside the rating, "I'd chat again" and "Exchange contacts": both stay open for a while.
    const again = user.partner_name === null ? undefined : t.againButton(user.partner_name);
    const buttons = [
      ...ratingKeyboard(notice.matchId, again).inline_keyboard,
      ...(notice.by === 'safety' ? [] : contactRequestKeyboard(t, notice.matchId).inline_keyboard),
    ];
    return sink.send(user, 'chat_ended', key, t.chatEndedRate(ended, t.feedbackPrompt), {
      reply_markup: { inline_keyboard: buttons },
    });
  },
  ...CONTACT_RENDER,
  'again.saved': renderAgainSaved,
  'pause.ended': (sink, { user, t, key }) => sink.send(user, 'pause_ended', key, t.pauseEnded),
  'suspension.lifted': (sink, { user, t, key }) =>
    sink.send(user, 'moderation', key, t.suspensionLifted),
  'appeal.kept': (sink, { user, t, key }) => sink.send(user, 'moderation', key, t.appealKept),
  'standing.ended': (sink, { user, notice, t, key }) =>
    sink.send(user, 'search_expired', key, t.standingEnded(notice.hours)),
};

export function render<K extends NoticeKind>(sink: Sink, delivery: Delivery<K>): Promise<void> {
  const kind: K = delivery.notice.kind;
  // A direct proposal (/again) has its own words; see again-notices.ts.
  const direct = delivery.user.match_kind === 'again' ? DIRECT_RENDER[kind] : undefined;
  return (direct ?? RENDER[kind])(sink, delivery);
}

export type OutboundExtra = Omit<OutboundPayload<'sendMessage'>, 'text'>;
