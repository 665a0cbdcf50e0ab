import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { say } from '../reply.js';

export const help = new Composer<BotContext>();

help.command('help', (ctx) => say(ctx, ctx.t.help));

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
] as const;
