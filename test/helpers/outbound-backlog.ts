import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../src/redis/keys.js';
import type { TestApp } from './app-harness.js';

/**
 * The app's outgoing messages not sent yet: queued, held (not due yet) or being sent. A test
 * that waits for "nothing left to send" must count the held ones too.
 */
export async function outboundBacklog(t: TestApp): Promise<number> {
  let backlog = 0;
  for (const name of [QUEUE_NAMES.outbound, QUEUE_NAMES.heldMessages]) {
    const queue = new Queue(name, {
      connection: t.app.deps.redis,
      prefix: t.app.deps.keys.queuePrefix(name),
    });
    try {
      backlog += (await queue.count()) + (await queue.getActiveCount());
    } finally {
      await queue.close();
    }
  }
  return backlog;
}
