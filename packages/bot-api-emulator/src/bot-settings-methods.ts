import { apiErrors } from './bot-api-error.js';
import { BotSettingsStore } from './bot-settings-store.js';
import type { EmulatorContext, MethodHandler, MethodTable } from './emulator-context.js';
import { readChatId, readInteger, readJson, readString, requireString } from './param-readers.js';
import type { ApiParams, BotCommand, ChatFullInfo } from './telegram-types.js';

const COMMAND = /^[a-z0-9_]{1,32}$/;

/** getMe, commands, descriptions, menu button, getChat, getFile and other bookkeeping. */
export function botSettingsMethods(ctx: EmulatorContext): MethodTable {
  const { settings } = ctx;
  const commandKey = (params: ApiParams) =>
    BotSettingsStore.commandKey(
      readJson(params, 'scope'),
      readString(params, 'language_code') ?? '',
    );
  const accept: MethodHandler = () => true;
  /** A setter/getter pair for one text setting, per language like Telegram keeps them. */
  const textSetting = (field: string, setter: string, getter: string): MethodTable => ({
    [setter]: {
      handler: (params) => {
        const key = `${field}|${readString(params, 'language_code') ?? ''}`;
        const value = readString(params, field) ?? '';
        if (value === '') settings.texts.delete(key);
        else settings.texts.set(key, value);
        return true;
      },
    },
    [getter]: {
      handler: (params) => ({
        [field]: settings.texts.get(`${field}|${readString(params, 'language_code') ?? ''}`) ?? '',
      }),
    },
  });

  return {
    getMe: { handler: () => ctx.bot },
    logOut: { handler: accept },
    close: { handler: accept },
    setMyCommands: {
      handler: (params) => {
        settings.commands.set(commandKey(params), readCommands(params));
        return true;
      },
    },
    getMyCommands: { handler: (params) => settings.commands.get(commandKey(params)) ?? [] },
    deleteMyCommands: {
      handler: (params) => {
        settings.commands.delete(commandKey(params));
        return true;
      },
    },
    ...textSetting('description', 'setMyDescription', 'getMyDescription'),
    ...textSetting('short_description', 'setMyShortDescription', 'getMyShortDescription'),
    ...textSetting('name', 'setMyName', 'getMyName'),
    setChatMenuButton: {
      handler: (params) => {
        const chat = readInteger(params, 'chat_id');
        if (chat !== undefined) ctx.chats.requireKnown(chat);
        settings.menuButtons.set(
          String(chat ?? 'default'),
          readJson(params, 'menu_button') ?? { type: 'default' },
        );
        return true;
      },
    },
    getChatMenuButton: {
      handler: (params) => {
        const chat = readInteger(params, 'chat_id');
        const button =
          settings.menuButtons.get(String(chat ?? 'default')) ??
          settings.menuButtons.get('default');
        return button ?? { type: 'commands' };
      },
    },
    setMyDefaultAdministratorRights: { handler: accept },
    setMessageReaction: {
      handler: (params) => {
        const chat = ctx.chats.requireWritable(readChatId(params));
        if (!chat.messages.has(readInteger(params, 'message_id') ?? -1)) {
          throw apiErrors.badRequest('message to react not found');
        }
        return true;
      },
    },
    getChat: {
      handler: (params): ChatFullInfo => {
        const { chat } = ctx.chats.requireKnown(readChatId(params));
        return {
          ...chat,
          accent_color_id: 0,
          max_reaction_count: 11,
          accepted_gift_types: {
            unlimited_gifts: true,
            limited_gifts: true,
            unique_gifts: true,
            premium_subscription: true,
            gifts_from_channels: true,
          },
        };
      },
    },
    getFile: { handler: (params) => ctx.files.getFile(requireString(params, 'file_id')) },
    getUserProfilePhotos: {
      handler: (params) => {
        ctx.chats.requireKnown(readChatId(params, 'user_id'));
        return { total_count: 0, photos: [] };
      },
    },
  };
}

function readCommands(params: ApiParams): BotCommand[] {
  const commands = readJson(params, 'commands');
  if (!Array.isArray(commands) || commands.length > 100) {
    throw apiErrors.badRequest("can't parse commands JSON object");
  }
  for (const item of commands as Partial<BotCommand>[]) {
    if (typeof item?.command !== 'string' || !COMMAND.test(item.command)) {
      throw apiErrors.badRequest('BOT_COMMAND_INVALID');
    }
    const description = item.description;
    if (typeof description !== 'string' || description.length < 1 || description.length > 256) {
      throw apiErrors.badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    }
  }
  return commands as BotCommand[];
}
