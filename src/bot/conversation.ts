import type { BotContext } from './context.js';

/** What the user's next plain-text message answers. */
export type Awaiting = 'tz' | 'report';

const TTL_SECONDS = 600;

export async function expectReply(ctx: BotContext, what: Awaiting): Promise<void> {
  if (!ctx.from) return;
  await ctx.deps.redis.set(ctx.deps.keys.conversation(ctx.from.id), what, 'EX', TTL_SECONDS);
}

/** Reads and clears what the user's message answers, if anything. */
export async function takeExpected(ctx: BotContext): Promise<Awaiting | null> {
  if (!ctx.from) return null;
  const value = await ctx.deps.redis.getdel(ctx.deps.keys.conversation(ctx.from.id));
  return value === 'tz' || value === 'report' ? value : null;
}
