import type { MessageEntity } from 'grammy/types';
import type { Recipient } from '../db/queries/users.js';
import type { Notice } from '../notifications/notifier.js';
import type { OutboundPayload } from '../outbound/outbound-message.js';
import type { Texts } from './i18n/index.js';
import { contactRequestKeyboard } from './keyboards/keyboards.js';
import { messageKeys } from './message-keys.js';

type ContactKind = 'contact.requested' | 'contact.withdrawn' | 'contact.revealed';

/** What the contact renderers need of the notifier's sink. */
export interface ContactSink {
  send(
    user: Recipient,
    purpose: 'contact',
    key: string,
    text: string,
    extra?: Omit<OutboundPayload<'sendMessage'>, 'text'>,
  ): Promise<void>;
  /** Replaces the text of the message sent under `ref` and removes its buttons. */
  edit(user: Recipient, purpose: 'contact', key: string, ref: string, text: string): Promise<void>;
}

interface ContactDelivery<K extends ContactKind> {
  user: Recipient;
  notice: Extract<Notice, { kind: K }>;
  t: Texts;
  key: string;
}

/**
 * The revealed contact: `@username`, or the name as a mention of the Telegram account (a
 * text_mention entity, so no markup is parsed and a name cannot break it).
 */
export function revealText(
  t: Texts,
  contact: { name: string; username: string | null; tgId: number },
): { text: string; entities: MessageEntity[] } {
  const who = contact.username ? `@${contact.username}` : contact.name;
  const text = `${t.contactRevealedLead}${who}${t.contactRevealedNote}`;
  if (contact.username) return { text, entities: [] };
  const mention: MessageEntity = {
    type: 'text_mention',
    offset: t.contactRevealedLead.length,
    length: who.length,
    user: { id: contact.tgId, is_bot: false, first_name: contact.name },
  };
  return { text, entities: [mention] };
}

/** The notices of the mutual contact reveal; the partner learns nothing identifying before it. */
export const CONTACT_RENDER = {
  'contact.requested': (
    sink: ContactSink,
    { user, notice, t, key }: ContactDelivery<'contact.requested'>,
  ) =>
    sink.send(user, 'contact', key, t.contactPartnerAsks, {
      reply_markup: contactRequestKeyboard(t, notice.matchId),
    }),
  // The question sent for that round loses its button: there is nothing left to agree to.
  'contact.withdrawn': (
    sink: ContactSink,
    { user, notice, t, key }: ContactDelivery<'contact.withdrawn'>,
  ) =>
    sink.edit(
      user,
      'contact',
      key,
      messageKeys.contactRequest(notice.matchId, user.id, notice.round),
      t.contactPartnerWithdrew,
    ),
  'contact.revealed': (
    sink: ContactSink,
    { user, notice, t, key }: ContactDelivery<'contact.revealed'>,
  ) => {
    const { text, entities } = revealText(t, notice.contact);
    return sink.send(user, 'contact', key, text, entities.length ? { entities } : {});
  },
};
