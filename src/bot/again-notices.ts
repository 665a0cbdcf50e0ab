import type { NoticeKind } from '../notifications/notifier.js';
import type { Recipient } from '../db/queries/users.js';
import type { Texts } from './i18n/index.js';
import { againProposalKeyboard } from './keyboards/keyboards.js';
import type { Delivery, Sink } from './notice-render.js';

/**
 * The messages of a direct proposal (/again) and of a saved pair. A direct proposal goes
 * through the same machine as any other, so the same notices arrive; only their words
 * differ: the inviter is user_a and accepted when inviting, and no search goes on after it.
 */

/** The card the user sees for the direct proposal: the invitation, or the inviter's copy. */
function cardOf(t: Texts, user: Recipient, partner: { name: string; topics: string }): string {
  return user.is_user_a
    ? t.againInviterCard(partner.name)
    : t.againInvitation(partner.name, partner.topics || t.againNoTopics);
}

async function close(
  sink: Sink,
  { user, t, key }: Pick<Delivery<NoticeKind>, 'user' | 't' | 'key'>,
  matchId: number,
  outcome: (name: string) => string,
): Promise<void> {
  const partner = await sink.partner(user, t);
  if (!partner) return;
  const text = t.againClosedCard(cardOf(t, user, partner), outcome(partner.name));
  await sink.closeProposal(user, matchId, key, text);
}

type Renderers = { [K in NoticeKind]?: (sink: Sink, delivery: Delivery<K>) => Promise<void> };

/** How the notices about a direct proposal read; the other notices read as usual. */
export const DIRECT_RENDER: Renderers = {
  async proposal(sink, { user, notice, t, key }) {
    const partner = await sink.partner(user, t);
    if (!partner) return;
    await sink.send(user, 'proposal', key, cardOf(t, user, partner), {
      reply_markup: againProposalKeyboard(t, notice.matchId, user.is_user_a === true),
    });
  },
  // Whoever declined or withdrew was told by the button's answer.
  async 'proposal.declined'(sink, delivery) {
    if (delivery.notice.role === 'decliner') return;
    const { t } = delivery;
    await close(sink, delivery, delivery.notice.matchId, (name) =>
      delivery.user.is_user_a ? t.againDeclined(name) : t.againWithdrawn,
    );
  },
  'proposal.expired': (sink, delivery) =>
    close(sink, delivery, delivery.notice.matchId, (name) =>
      delivery.user.is_user_a ? delivery.t.againExpiredInviter(name) : delivery.t.againExpired,
    ),
};

/** Tells the one who said "I'd chat again" first that the partner said so too. */
export async function renderAgainSaved(
  sink: Sink,
  { user, t, key }: Delivery<'again.saved'>,
): Promise<void> {
  const partner = await sink.partner(user, t);
  if (!partner) return;
  await sink.send(user, 'chat_ended', key, t.againSaved(partner.name));
}
