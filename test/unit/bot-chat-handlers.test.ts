import { strict as assert } from 'node:assert';
import type { ActiveChat } from '../../src/chats/chat-service.js';
import {
  createFakeBot,
  pressUpdate,
  textUpdate,
  userOf,
  type FakeBot,
} from '../helpers/bot-fakes.js';

/**
 * Chat-time handlers through bot.handleUpdate: relaying (copies, replies, edits), typed
 * answers (time zone, report reason), /end, /delete and the user blocking the bot.
 */
describe('bot handlers: chats, typed answers, account', () => {
  let f: FakeBot;
  const alice = userOf(2001, 'Alice');
  const bob = userOf(2002, 'Bob');
  const inChat: ActiveChat = {
    session: { match_id: 7 } as ActiveChat['session'],
    partnerId: 2,
    partnerChatId: bob.id,
  };

  beforeEach(async () => {
    f = createFakeBot();
    await f.handle(textUpdate(alice, '/start'));
    await f.handle(pressUpdate(alice, 'rules:accept'));
  });
  afterEach(() => f.close());

  it('relays a message to the partner as a copy and remembers what it copies', async () => {
    f.state.activeChat = inChat;
    const update = textUpdate(alice, 'Привет!');
    await f.handle(update);
    const copy = f.sent.at(-1)!;
    assert.equal(copy.method, 'copyMessage');
    assert.equal(copy.chatId, bob.id);
    assert.deepEqual(copy.payload, {
      from_chat_id: alice.id,
      message_id: update.message.message_id,
    });
    assert.deepEqual(copy.copyOf, { chatId: alice.id, messageId: update.message.message_id });
    assert.deepEqual(f.calls.find((c) => c.name === 'touch')?.args, [7]);
  });

  it('maps a reply to one’s own message and to a partner’s copy onto the other side', async () => {
    f.state.activeChat = inChat;
    const own = {
      message_id: 300,
      date: 0,
      chat: { id: alice.id, type: 'private' },
      from: alice,
      text: 'q',
    };
    await f.handle(textUpdate(alice, 'к своему', { reply_to_message: own }));
    assert.equal(f.sent.at(-1)?.replyToRef, `relay-7-${alice.id}-300`);

    await f.redis.hset(f.keys.relayOrigin(alice.id), '310', `${bob.id}:55`);
    const copy = {
      message_id: 310,
      date: 0,
      chat: { id: alice.id, type: 'private' },
      from: { id: 5_000_000_001, is_bot: true, first_name: 'tete' },
      text: 'a',
    };
    await f.handle(textUpdate(alice, 'к копии', { reply_to_message: copy }));
    assert.deepEqual(f.sent.at(-1)?.payload.reply_parameters, {
      message_id: 55,
      allow_sending_without_reply: true,
    });
    // A copy from some other chat (an earlier partner) is not a reply target here.
    await f.redis.hset(f.keys.relayOrigin(alice.id), '311', '999:1');
    await f.handle(
      textUpdate(alice, 'к старой', { reply_to_message: { ...copy, message_id: 311 } }),
    );
    assert.equal(f.sent.at(-1)?.payload.reply_parameters, undefined);
  });

  it('mirrors a text or caption edit onto the partner’s copy by reference', async () => {
    f.state.activeChat = inChat;
    await f.handle({
      edited_message: {
        message_id: 320,
        date: 0,
        edit_date: 1234,
        chat: { id: alice.id, type: 'private', first_name: 'Alice' },
        from: alice,
        text: 'исправлено',
      },
    });
    const edit = f.sent.at(-1)!;
    assert.equal(edit.method, 'editMessageText');
    assert.equal(edit.messageRef, `relay-7-${alice.id}-320`);
    assert.equal(edit.payload.text, 'исправлено');
    await f.handle({
      edited_message: {
        message_id: 321,
        date: 0,
        edit_date: 1235,
        chat: { id: alice.id, type: 'private', first_name: 'Alice' },
        from: alice,
        photo: [{ file_id: 'p', file_unique_id: 'p', width: 1, height: 1 }],
        caption: 'новая подпись',
      },
    });
    const caption = f.sent.at(-1)!;
    assert.equal(caption.method, 'editMessageCaption');
    assert.equal(caption.messageRef, `relay-7-${alice.id}-321`);
    assert.equal(caption.payload.caption, 'новая подпись');
  });

  it('a typed time zone is taken only when asked for; in a chat, other text is relayed', async () => {
    await f.handle(pressUpdate(alice, 'profile:tz'));
    await f.handle(textUpdate(alice, 'utc+3'));
    assert.equal(f.users.get(alice.id)?.tz, 'Etc/GMT-3');
    await f.handle(textUpdate(alice, 'Asia/Tokyo'));
    assert.equal(f.users.get(alice.id)?.tz, 'Etc/GMT-3', 'no longer expecting a zone');
    await f.handle(pressUpdate(alice, 'profile:tz'));
    await f.handle(textUpdate(alice, 'где-то'));
    assert.match(f.texts(alice.id).at(-1)!, /Не понял часовой пояс/);
    f.state.activeChat = inChat;
    await f.handle(textUpdate(alice, 'как дела?'));
    assert.equal(f.sent.at(-1)?.method, 'copyMessage');
  });

  it('/report without a reason asks for it and takes the next message as the reason', async () => {
    f.state.activeChat = inChat;
    await f.handle(textUpdate(alice, '/report'));
    assert.match(f.texts(alice.id).at(-1)!, /Опишите, что случилось/);
    await f.handle(textUpdate(alice, 'грубит'));
    assert.deepEqual(f.calls.find((c) => c.name === 'report')?.args.slice(1), ['грубит']);
    assert.equal(f.sent.filter((m) => m.method === 'copyMessage').length, 0, 'not relayed');
  });

  it('/end and the "End chat" button end the chat for the user', async () => {
    f.state.activeChat = inChat;
    await f.handle(textUpdate(alice, '/end'));
    await f.handle(textUpdate(alice, 'Закончить чат'));
    const ends = f.calls.filter((c) => c.name === 'endChat');
    assert.equal(ends.length, 2);
    assert.deepEqual(ends[0]?.args, [7, f.users.get(alice.id)!.id, 'user']);
  });

  it('/delete asks first and erases only after "Yes"; the goodbye leaves no record', async () => {
    await f.handle(textUpdate(alice, '/delete'));
    assert.equal(
      f.calls.some((c) => c.name === 'erase'),
      false,
    );
    await f.handle(pressUpdate(alice, 'delete:no'));
    assert.equal(
      f.calls.some((c) => c.name === 'erase'),
      false,
    );
    await f.handle(pressUpdate(alice, 'delete:yes'));
    assert.equal(f.calls.filter((c) => c.name === 'erase').length, 1);
    const goodbye = f.sent.slice(-2);
    assert.ok(
      goodbye.every((m) => m.ephemeral === true && /данные удалены/.test(String(m.payload.text))),
    );
  });

  it('the user blocking the bot (my_chat_member: kicked) takes them out of matching', async () => {
    const bot = { id: 5_000_000_001, is_bot: true, first_name: 'tete' } as const;
    await f.handle({
      my_chat_member: {
        chat: { id: alice.id, type: 'private', first_name: 'Alice' },
        from: alice,
        date: 0,
        old_chat_member: { status: 'member', user: bot },
        new_chat_member: { status: 'kicked', user: bot, until_date: 0 },
      },
    });
    assert.deepEqual(f.calls.find((c) => c.name === 'markBotBlocked')?.args, [
      f.users.get(alice.id)!.id,
    ]);
  });
});
