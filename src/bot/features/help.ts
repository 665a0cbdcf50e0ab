import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { say } from '../reply.js';

export const help = new Composer<BotContext>();

// Operators see their own commands too; nobody else learns they exist.
help.command('help', (ctx) =>
  say(
    ctx,
    ctx.from && ctx.deps.admins.includes(ctx.from.id)
      ? `${ctx.t.help}\n\n${ctx.t.helpAdmin}`
      : ctx.t.help,
  ),
);

/** The command menu, in both languages; registered with setMyCommands on start. */
export const COMMAND_NAMES = [
  'find',
  'cancel',
  'end',
  'profile',
  'block',
  'report',
  'lang',
  'delete',
  'again',
  'pause',
  'resume',
  'help',
  'contact',
  'appeal',
] as const;

/** Commands only operators (ADMIN_TELEGRAM_IDS) have in their menu. */
export const ADMIN_COMMAND_NAMES = ['stats'] as const;
