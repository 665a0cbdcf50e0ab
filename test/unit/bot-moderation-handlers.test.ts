import { strict as assert } from 'node:assert';
import { registerCommands } from '../../src/bot/bot.js';
import {
  createFakeBot,
  pressUpdate,
  textUpdate,
  userOf,
  type FakeBot,
} from '../helpers/bot-fakes.js';

/** Operators' buttons and commands refuse everyone else, before any service is called. */
describe('bot handlers: operators only', () => {
  let f: FakeBot;
  const mallory = userOf(1003, 'Mallory');

  beforeEach(() => {
    f = createFakeBot();
  });
  afterEach(() => f.close());

  it('a forged decision button is answered "for operators" and decides nothing', async () => {
    await f.handle(textUpdate(mallory, '/start'));
    const data = ['mod:lift:1', 'mod:suspend:2', 'mod:dismiss:3', 'appeal:lift:4', 'appeal:keep:5'];
    for (const press of data) await f.handle(pressUpdate(mallory, press));
    // The fake has no moderation service: a call would fail and answer with the error text.
    assert.deepEqual(
      f
        .answers()
        .slice(-data.length)
        .map((call) => call.payload.text),
      data.map(() => 'Эта команда только для модераторов.'),
    );
  });

  it('/stats is refused to everyone but operators, and /help does not mention it', async () => {
    await f.handle(textUpdate(mallory, '/stats'));
    assert.equal(f.texts(mallory.id).at(-1), 'Эта команда только для модераторов.');
    await f.handle(textUpdate(mallory, '/help'));
    assert.match(f.texts(mallory.id).at(-1)!, /\/appeal/);
    assert.doesNotMatch(f.texts(mallory.id).at(-1)!, /\/stats/);
  });

  it("operators' chats get a menu with /stats in both languages", async () => {
    await registerCommands(f.bot, [42]);
    const menus = f.apiCalls.filter((call) => call.method === 'setMyCommands');
    const scoped = menus.filter((call) => call.payload.scope !== undefined);
    assert.deepEqual(
      scoped.map((call) => [call.payload.language_code, call.payload.scope]),
      [
        ['ru', { type: 'chat', chat_id: 42 }],
        [undefined, { type: 'chat', chat_id: 42 }],
        ['en', { type: 'chat', chat_id: 42 }],
      ],
    );
    const en = scoped[2]!.payload.commands as { command: string; description: string }[];
    assert.deepEqual(en.at(-1), { command: 'stats', description: 'Figures for operators' });
    const everyone = menus.filter((call) => call.payload.scope === undefined);
    assert.ok(
      everyone.every((call) =>
        (call.payload.commands as { command: string }[]).every((c) => c.command !== 'stats'),
      ),
    );
  });
});
