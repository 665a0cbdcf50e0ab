import { strict as assert } from 'node:assert';
import { createChatting } from '../../sandbox/crowd-chat.js';
import type { Person } from '../../sandbox/person.js';
import { createRandom } from '../../sim-kit/random.js';

/** A chatting person whose messages to the bot are written down instead of sent. */
function personIn(matchId: number, said: string[]): Person {
  const user = {
    sendText: (text: string) => Promise.resolve(said.push(`text:${text}`)),
    sendCommand: (command: string) => Promise.resolve(said.push(`/${command}`)),
  };
  return {
    state: 'chatting',
    matchId,
    user,
    profile: { languageCode: 'en' },
  } as unknown as Person;
}

/** Runs the crowd's scheduled actions at once, in the order they are due. */
function clock() {
  const due: [number, () => Promise<unknown>][] = [];
  return {
    later: (seconds: number, action: () => Promise<unknown>) => void due.push([seconds, action]),
    async run() {
      for (const [, action] of due.sort((a, b) => a[0] - b[0])) await action();
    },
  };
}

/** The crowd's chatting, on a clock the test runs. */
function chatting(lifecycleOnly: boolean) {
  const time = clock();
  const chat = createChatting({ random: createRandom(7), later: time.later, lifecycleOnly });
  return { chat, run: () => time.run() };
}

describe('the crowd in a chat', () => {
  it('says a few lines, then ends the chat, in the full model', async () => {
    const { chat, run } = chatting(false);
    const said: string[] = [];
    chat(personIn(1, said));
    await run();
    assert.ok(said.filter((line) => line.startsWith('text:')).length >= 1);
    assert.equal(said.at(-1), '/end');
  });

  it('with the lifecycle alone, says nothing and only one of the two ends the chat', async () => {
    const { chat, run } = chatting(true);
    const said: string[] = [];
    const [ada, ben] = [personIn(5, said), personIn(5, said)];
    chat(ada);
    chat(ben);
    const other: string[] = [];
    chat(personIn(6, other));
    await run();
    assert.deepEqual(said, ['/end']);
    assert.deepEqual(other, ['/end']);
  });

  it('with the lifecycle alone, does not end a chat that has already ended', async () => {
    const { chat, run } = chatting(true);
    const said: string[] = [];
    const person = personIn(8, said);
    chat(person);
    person.state = 'idle';
    await run();
    assert.deepEqual(said, []);
  });
});
