import type { Update, User } from 'grammy/types';

export interface PostedUpdate {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

/** A private-chat text message from `from`, as Telegram would push it to the webhook. */
export function textUpdate(updateId: number, from: User, text: string): Update {
  const command = text.startsWith('/') ? text.split(' ')[0]!.length : 0;
  return {
    update_id: updateId,
    message: {
      message_id: (updateId % 1_000_000) + 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: from.id, type: 'private', first_name: from.first_name },
      from,
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command }] } : {}),
    },
  };
}

/** POSTs a raw update body to the webhook with the given secret header. */
export async function postUpdate(
  baseUrl: string,
  update: unknown,
  secret: string,
): Promise<PostedUpdate> {
  const response = await fetch(`${baseUrl}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: typeof update === 'string' ? update : JSON.stringify(update),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text for the assertion message
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}
