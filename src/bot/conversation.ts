import type { BotContext } from './context.js';

/** What the user's next plain-text message answers. */
export type Awaiting = 'tz' | 'report';

/** What the next message answers, and the key of the message that asked, if it has buttons. */
export interface Expected {
  what: Awaiting;
  promptKey?: string;
}

const TTL_SECONDS = 600;

/**
 * Remembers what the user's next message answers. `promptKey` (an outbound message key, which
 * holds no spaces) names the question's message, so a typed answer can take its buttons away.
 */
export async function expectReply(
  ctx: BotContext,
  what: Awaiting,
  promptKey?: string,
): Promise<void> {
  if (!ctx.from) return;
  const value = promptKey ? `${what} ${promptKey}` : what;
  await ctx.deps.redis.set(ctx.deps.keys.conversation(ctx.from.id), value, 'EX', TTL_SECONDS);
}

/** True while the user's next message is expected to answer `what`. */
export async function isExpecting(ctx: BotContext, what: Awaiting): Promise<boolean> {
  if (!ctx.from) return false;
  const value = await ctx.deps.redis.get(ctx.deps.keys.conversation(ctx.from.id));
  return value?.split(' ')[0] === what;
}

/** Reads and clears what the user's message answers, if anything. */
export async function takeExpected(ctx: BotContext): Promise<Expected | null> {
  if (!ctx.from) return null;
  const value = await ctx.deps.redis.getdel(ctx.deps.keys.conversation(ctx.from.id));
  const [what, promptKey] = (value ?? '').split(' ');
  if (what !== 'tz' && what !== 'report') return null;
  return promptKey ? { what, promptKey } : { what };
}
