import { withoutNestedReply } from './bot-message-builder.js';
import type { MessageFields } from './emulated-chat-store.js';
import type { MediaHints } from './emulated-file-store.js';
import { attempt, EmulatedUserView } from './emulated-user-view.js';
import { inlineButtons } from './message-summary.js';
import type { ChatMember, InlineKeyboardButton, MediaKind, Message } from './telegram-types.js';
import { detectUserEntities } from './user-text-entities.js';

/** Options of a simulated media message. */
export interface UserMediaOptions extends MediaHints {
  caption?: string;
  /** Message id in this chat to reply to. */
  replyTo?: number;
}

/**
 * A simulated Telegram user talking to the bot in a private chat. Every action creates the
 * update a real client would cause and resolves once it is queued for the bot (not once the
 * bot handled it: use `waitForBotMessage` for that). Actions throw when a real user could not
 * do the same thing, such as pressing a button that is not there.
 */
export class EmulatedUser extends EmulatedUserView {
  /** Presses Start (sends `/start` or `/start <payload>`); after a block this is "Restart". */
  start(payload?: string): Promise<Message> {
    return attempt(() => {
      if (this.chat.status === 'blocked') this.setBlocked(false);
      return this.post({ text: payload ? `/start ${payload}` : '/start' });
    });
  }

  sendText(text: string, options: { replyTo?: number } = {}): Promise<Message> {
    return attempt(() => {
      if (text.trim() === '') throw new Error('a Telegram client cannot send an empty message');
      return this.post({ text }, options.replyTo);
    });
  }

  /** Sends `/command` (the slash is optional) with optional arguments after a space. */
  sendCommand(command: string, args?: string): Promise<Message> {
    const name = command.startsWith('/') ? command : `/${command}`;
    return this.sendText(args ? `${name} ${args}` : name);
  }

  replyTo(messageId: number, text: string): Promise<Message> {
    return this.sendText(text, { replyTo: messageId });
  }

  /** Sends any media kind with a generated, plausible file object. */
  sendMedia(kind: MediaKind, options: UserMediaOptions = {}): Promise<Message> {
    return attempt(() => {
      const { caption, replyTo, ...hints } = options;
      const fields: MessageFields = { [kind]: this.ctx.files.create(kind, hints) };
      if (kind === 'animation') fields.document = fields.animation;
      if (caption) fields.caption = caption;
      return this.post(fields, replyTo);
    });
  }

  // Shorthands for sendMedia, one per kind.
  sendPhoto = (options?: UserMediaOptions) => this.sendMedia('photo', options);
  sendSticker = (options?: UserMediaOptions) => this.sendMedia('sticker', options);
  sendVoice = (options?: UserMediaOptions) => this.sendMedia('voice', options);
  sendDocument = (options?: UserMediaOptions) => this.sendMedia('document', options);
  sendVideo = (options?: UserMediaOptions) => this.sendMedia('video', options);
  sendAudio = (options?: UserMediaOptions) => this.sendMedia('audio', options);
  sendAnimation = (options?: UserMediaOptions) => this.sendMedia('animation', options);
  sendVideoNote = (options?: UserMediaOptions) => this.sendMedia('video_note', options);

  /** Edits one of this user's own text messages; the bot gets an `edited_message`. */
  editText(messageId: number, newText: string): Promise<Message> {
    return attempt(() => {
      this.requireNotBlocked();
      const message = this.chat.messages.get(messageId);
      if (!message || message.from?.id !== this.id || message.text === undefined) {
        throw new Error(`user ${this.id} has no text message ${messageId} to edit`);
      }
      const entities = detectUserEntities(newText);
      const edited = { ...message, text: newText, edit_date: this.ctx.chats.unixNow() } as Message;
      if (entities.length > 0) edited.entities = entities;
      else delete edited.entities;
      this.ctx.chats.replace(this.chat, edited);
      this.act(() => this.ctx.updates.push({ edited_message: edited }));
      return edited;
    });
  }

  /**
   * Presses the inline button with this `callback_data` on a bot message in this chat and
   * resolves with the callback query id. Throws if the message has no such button.
   */
  pressButton(messageId: number, callbackData: string): Promise<string> {
    return attempt(() => {
      this.requireNotBlocked();
      const message = this.botMessage(messageId);
      const buttons = inlineButtons(message);
      if (
        !buttons.some(
          (button) => 'callback_data' in button && button.callback_data === callbackData,
        )
      ) {
        const offered = buttons.map(describeButton).join(', ') || 'none';
        throw new Error(
          `message ${messageId} has no inline button with callback_data "${callbackData}"; buttons: ${offered}`,
        );
      }
      const id = this.ctx.callbacks.create(this.chat.id);
      this.act(() =>
        this.ctx.updates.push({
          callback_query: {
            id,
            from: this.user,
            message,
            chat_instance: this.chat.chatInstance,
            data: callbackData,
          },
        }),
      );
      return id;
    });
  }

  /** Presses the callback button labelled `text` on a bot message. */
  pressButtonByText(messageId: number, text: string): Promise<string> {
    return attempt(() => {
      const button = inlineButtons(this.botMessage(messageId)).find((item) => item.text === text);
      if (!button || !('callback_data' in button) || button.callback_data === undefined) {
        throw new Error(`message ${messageId} has no callback button labelled "${text}"`);
      }
      return button.callback_data;
    }).then((data) => this.pressButton(messageId, data));
  }

  /** Taps a button of the reply keyboard the bot showed; sends its text. */
  pressKeyboardButton(text: string): Promise<Message> {
    return attempt(() => {
      const keyboard = this.chat.replyKeyboard;
      const labels =
        keyboard?.keyboard
          .flat()
          .map((button) => (typeof button === 'string' ? button : button.text)) ?? [];
      if (!labels.includes(text)) {
        throw new Error(
          `no reply keyboard button "${text}" is shown; shown: ${labels.join(', ') || 'none'}`,
        );
      }
      if (keyboard?.one_time_keyboard) delete this.chat.replyKeyboard;
      return this.post({ text });
    });
  }

  /** Blocks the bot: the bot gets `my_chat_member` (member → kicked) and 403s from then on. */
  blockBot(): Promise<void> {
    return attempt(() => this.setBlocked(true));
  }

  /** Unblocks the bot (member again). A real client would then press Restart: `start()`. */
  unblockBot(): Promise<void> {
    return attempt(() => this.setBlocked(false));
  }

  private post(fields: MessageFields, replyTo?: number): Message {
    this.requireNotBlocked();
    if (this.chat.status === 'new') this.chat.status = 'open';
    const content: MessageFields = { from: this.user, ...fields };
    if (fields.text !== undefined) {
      const entities = detectUserEntities(fields.text);
      if (entities.length > 0) content.entities = entities;
    }
    if (replyTo !== undefined) {
      const target = this.chat.messages.get(replyTo);
      if (!target) throw new Error(`chat ${this.chat.id} has no message ${replyTo} to reply to`);
      content.reply_to_message = withoutNestedReply(target);
    }
    const message = this.ctx.chats.append(this.chat, content);
    this.act(() => this.ctx.updates.push({ message }));
    return message;
  }

  private setBlocked(blocked: boolean): void {
    if ((this.chat.status === 'blocked') === blocked) return;
    this.chat.status = blocked ? 'blocked' : 'open';
    const bot = this.ctx.botAsSender;
    const member: ChatMember = { status: 'member', user: bot };
    const kicked: ChatMember = { status: 'kicked', user: bot, until_date: 0 };
    this.act(() =>
      this.ctx.updates.push({
        my_chat_member: {
          chat: this.chat.chat,
          from: this.user,
          date: this.ctx.chats.unixNow(),
          old_chat_member: blocked ? member : kicked,
          new_chat_member: blocked ? kicked : member,
        },
      }),
    );
  }

  private requireNotBlocked(): void {
    if (this.chat.status === 'blocked') {
      throw new Error(`user ${this.id} has blocked the bot; call unblockBot() or start() first`);
    }
  }
}

function describeButton(button: InlineKeyboardButton): string {
  const data = 'callback_data' in button ? ` (${button.callback_data})` : '';
  return `"${button.text}"${data}`;
}
