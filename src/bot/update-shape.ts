import type { Update } from 'grammy/types';
import { z } from 'zod';

/**
 * The Bot API's ranges: user and chat ids have at most 52 significant bits; update ids,
 * message ids and dates are 32-bit integers. A value outside them was not sent by Telegram.
 */
const ID_52 = 2 ** 52 - 1;
const INT_32 = 2 ** 31 - 1;

const int32 = z.number().int().min(0).max(INT_32);
const userId = z.number().int().min(1).max(ID_52);
const chatId = z.number().int().min(-ID_52).max(ID_52);

const user = z.object({ id: userId, is_bot: z.boolean(), first_name: z.string() }).passthrough();
const chat = z.object({ id: chatId, type: z.string() }).passthrough();
const message = z
  .object({
    message_id: int32,
    date: int32,
    chat,
    from: user.optional(),
    reply_to_message: z.object({ message_id: int32 }).passthrough().optional(),
  })
  .passthrough();
const callbackQuery = z
  .object({
    id: z.string().min(1).max(256),
    from: user,
    chat_instance: z.string(),
    message: z.object({ message_id: int32, chat }).passthrough().optional(),
    data: z.string().max(256).optional(),
  })
  .passthrough();
const member = z.object({ status: z.string(), user }).passthrough();
const chatMemberUpdated = z
  .object({ chat, from: user, date: int32, old_chat_member: member, new_chat_member: member })
  .passthrough();

/** The parts of an update the bot reads, for the kinds it asks Telegram for. */
const updateSchema = z
  .object({
    update_id: int32,
    message: message.optional(),
    edited_message: message.optional(),
    callback_query: callbackQuery.optional(),
    my_chat_member: chatMemberUpdated.optional(),
  })
  .passthrough();

export type UpdateCheck =
  { ok: true; update: Update } | { ok: false; updateId: number | undefined; problem: string };

/**
 * Checks that a webhook body is an update Telegram could have sent: the fields the bot reads
 * are present and every id is within the Bot API's range. The problem names the field only,
 * never its value (a message text must not reach the log).
 */
export function checkUpdate(body: unknown): UpdateCheck {
  const result = updateSchema.safeParse(body);
  if (result.success) return { ok: true, update: result.data as unknown as Update };
  const issue = result.error.issues[0];
  const raw = (body as { update_id?: unknown } | null)?.update_id;
  const updateId = int32.safeParse(raw).success ? (raw as number) : undefined;
  const where = issue?.path.length ? issue.path.join('.') : 'update';
  return { ok: false, updateId, problem: `${where}: ${issue?.message ?? 'invalid'}` };
}
