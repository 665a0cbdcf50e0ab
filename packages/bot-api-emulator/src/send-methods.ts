import { apiErrors } from './bot-api-error.js';
import { sendBotMessage } from './bot-message-builder.js';
import type { MessageFields } from './emulated-chat-store.js';
import type { EmulatorContext, MethodTable } from './emulator-context.js';
import { readCaption, readMessageText } from './message-content.js';
import { readChatId, readMessageId, readString } from './param-readers.js';
import type { ApiParams, MediaKind, Message } from './telegram-types.js';

/** Send method name for each media kind, and whether that kind takes a caption. */
const MEDIA_METHODS: [string, MediaKind, boolean][] = [
  ['sendPhoto', 'photo', true],
  ['sendDocument', 'document', true],
  ['sendVoice', 'voice', true],
  ['sendSticker', 'sticker', false],
  ['sendVideo', 'video', true],
  ['sendAudio', 'audio', true],
  ['sendAnimation', 'animation', true],
  ['sendVideoNote', 'video_note', false],
];

/** Everything a copy or forward carries over from the original message. */
const CONTENT_FIELDS = [
  'text',
  'entities',
  'link_preview_options',
  ...MEDIA_METHODS.map(([, kind]) => kind),
  'caption',
  'caption_entities',
  'show_caption_above_media',
  'has_media_spoiler',
  'contact',
  'location',
  'venue',
  'dice',
  'poll',
] as const;

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** sendMessage, the media senders, copyMessage, forwardMessage and sendChatAction. */
export function sendMethods(ctx: EmulatorContext): MethodTable {
  const table: MethodTable = {
    sendMessage: {
      sendsToChat: true,
      handler: (params) => {
        const chat = ctx.chats.requireWritable(readChatId(params));
        const { text, entities } = readMessageText(params);
        return sendBotMessage(ctx, params, chat, withEntities({ text }, 'entities', entities));
      },
    },
    copyMessage: {
      sendsToChat: true,
      handler: (params) => {
        const [chat, original] = locateSource(ctx, params, apiErrors.messageToCopyNotFound);
        const content = copyContent(original);
        if (params.caption !== undefined && original.text === undefined) {
          const caption = readCaption(params);
          delete content.caption;
          delete content.caption_entities;
          if (caption)
            Object.assign(
              content,
              withEntities({ caption: caption.text }, 'caption_entities', caption.entities),
            );
        }
        return { message_id: sendBotMessage(ctx, params, chat, content).message_id };
      },
    },
    forwardMessage: {
      sendsToChat: true,
      handler: (params) => {
        const [chat, original] = locateSource(ctx, params, apiErrors.messageToForwardNotFound);
        const content = copyContent(original);
        content.forward_origin = original.forward_origin ?? {
          type: 'user',
          sender_user: original.from!,
          date: original.date,
        };
        return sendBotMessage(ctx, params, chat, content);
      },
    },
    sendChatAction: {
      handler: (params) => {
        ctx.chats.requireWritable(readChatId(params));
        if (!CHAT_ACTIONS.has(readString(params, 'action') ?? '')) {
          throw apiErrors.badRequest('wrong parameter action in request');
        }
        return true;
      },
    },
  };
  for (const [method, kind, takesCaption] of MEDIA_METHODS) {
    table[method] = {
      sendsToChat: true,
      handler: (params, call) => {
        const chat = ctx.chats.requireWritable(readChatId(params));
        const media = ctx.files.resolve(kind, params[kind], call.uploads);
        const content: MessageFields = { [kind]: media };
        // Telegram sets `document` too for animations, for older clients.
        if (kind === 'animation') content.document = media as NonNullable<Message['document']>;
        const caption = takesCaption ? readCaption(params) : undefined;
        if (caption)
          Object.assign(
            content,
            withEntities({ caption: caption.text }, 'caption_entities', caption.entities),
          );
        return sendBotMessage(ctx, params, chat, content);
      },
    };
  }
  return table;
}

/** Target chat (writable) and source message of a copy or forward. */
function locateSource(
  ctx: EmulatorContext,
  params: ApiParams,
  notFound: () => Error,
): [ReturnType<EmulatorContext['chats']['requireWritable']>, Message] {
  const chat = ctx.chats.requireWritable(readChatId(params));
  const source = ctx.chats.requireKnown(readChatId(params, 'from_chat_id'));
  const original = source.messages.get(readMessageId(params));
  if (!original) throw notFound();
  return [chat, original];
}

function copyContent(original: Message): MessageFields {
  const content: Record<string, unknown> = {};
  for (const field of CONTENT_FIELDS) {
    const value = original[field as keyof Message];
    if (value !== undefined) content[field] = value;
  }
  return content;
}

function withEntities<T extends object>(fields: T, key: string, entities: unknown[]): T {
  return entities.length > 0 ? { ...fields, [key]: entities } : fields;
}
