import type { AgainCrowd } from './crowd-again.js';
import { CHAT_LINES, type Person } from './person.js';

export interface ChattingDeps extends Pick<AgainCrowd, 'random' | 'later'> {
  /** See CrowdOptions.lifecycleOnly. */
  lifecycleOnly: boolean;
}

/**
 * What a person does once their chat has opened: a few short lines a few seconds apart, and
 * whoever runs out of things to say first ends the chat. With `lifecycleOnly` nothing is said
 * and one of the two ends it a moment after it opened.
 */
export function createChatting({ random, later, lifecycleOnly }: ChattingDeps) {
  /** Lifecycle only: the chats whose ender is chosen (the first of the two to see it open). */
  const withEnder = new Set<number>();

  function endLater(person: Person, delay: number): void {
    later(delay, async () => {
      if (person.state === 'chatting') await person.user.sendCommand('end');
    });
  }

  return function chat(person: Person): void {
    if (lifecycleOnly) {
      // Only one of the two ends it, so the other's /end a moment later does not cost the bot
      // a "you are not in a chat" reply: the budget measured is the lifecycle's alone.
      const matchId = person.matchId;
      if (matchId === undefined || withEnder.has(matchId)) return;
      withEnder.add(matchId);
      endLater(person, random.logNormal(3, 0.4));
      return;
    }
    const lines = random.int(1, 5);
    let delay = 0;
    for (let i = 0; i < lines; i += 1) {
      delay += random.logNormal(4, 0.5);
      later(delay, async () => {
        if (person.state !== 'chatting') return;
        await person.user.sendText(random.pick(CHAT_LINES[person.profile.languageCode]));
      });
    }
    endLater(person, delay + random.logNormal(3, 0.4));
  };
}
