import { strict as assert } from 'node:assert';
import { registerCommands } from '../../src/bot/bot.js';
import { AppError } from '../../src/errors.js';
import {
  createFakeBot,
  pressUpdate,
  textUpdate,
  userOf,
  type FakeBot,
} from '../helpers/bot-fakes.js';

/**
 * Onboarding, search and proposal handlers through bot.handleUpdate. Sends go to a recording
 * outbound queue; direct Bot API calls (answerCallbackQuery, setMyCommands) are recorded by
 * grammY's API transformer.
 */
describe('bot handlers: onboarding, search, proposals', () => {
  let f: FakeBot;
  const alice = userOf(1001, 'Alice');
  const bob = userOf(1002, 'Bob');
  const mallory = userOf(1003, 'Mallory');

  beforeEach(() => {
    f = createFakeBot({ findPerMinute: 2, commandsPerMinute: 100 });
  });
  afterEach(() => f.close());

  const buttonsOf = (message: (typeof f.sent)[number]) =>
    (
      (
        message.payload.reply_markup as {
          inline_keyboard?: { text: string; callback_data: string }[][];
        }
      )?.inline_keyboard ?? []
    ).flat();

  async function ready(from: ReturnType<typeof userOf>) {
    await f.handle(textUpdate(from, '/start'));
    await f.handle(pressUpdate(from, 'rules:accept'));
    await f.handle(pressUpdate(from, 'topic:1'));
    await f.handle(pressUpdate(from, 'topic:2'));
    await f.handle(pressUpdate(from, 'topics:done'));
    await f.handle(pressUpdate(from, 'tz:Europe/Moscow'));
  }

  it('/start greets, shows the five rules and an "I agree" button', async () => {
    await f.handle(textUpdate(alice, '/start'));
    const [welcome, rules] = f.sent;
    assert.match(String(welcome?.payload.text), /^Привет, Alice!/);
    assert.match(
      String(rules?.payload.text),
      /Уважайте[\s\S]*спама[\s\S]*личные данные[\s\S]*\/end[\s\S]*\/report/,
    );
    assert.deepEqual(
      buttonsOf(rules!).map((b) => b.callback_data),
      ['rules:accept'],
    );
  });

  it('topic presses toggle and mark the choice; "Done" needs two', async () => {
    await f.handle(textUpdate(alice, '/start'));
    await f.handle(pressUpdate(alice, 'rules:accept'));
    await f.handle(pressUpdate(alice, 'topic:2'));
    const edit = f.sent.at(-1)!;
    assert.equal(edit.method, 'editMessageText');
    assert.deepEqual(
      buttonsOf(edit).map((b) => b.text),
      ['Книги', '✅ Кино', 'Музыка', 'Выберите хотя бы две темы'],
    );
    await f.handle(pressUpdate(alice, 'topics:done'));
    assert.equal(f.answers().at(-1)?.payload.text, 'Выберите хотя бы две темы');
    await f.handle(pressUpdate(alice, 'topic:3'));
    await f.handle(pressUpdate(alice, 'topic:2'));
    assert.deepEqual(f.users.get(alice.id)?.topic_ids, [3]);
    await f.handle(pressUpdate(alice, 'topic:1'));
    await f.handle(pressUpdate(alice, 'topics:done'));
    const zones = f.sent.at(-1)!;
    assert.match(String(zones.payload.text), /Ваш часовой пояс\?/);
    // The default for Russian comes first, but nothing is ticked before the user chooses.
    assert.equal(buttonsOf(zones)[0]?.text, 'Europe/Moscow');
    assert.ok(buttonsOf(zones).every((b) => !b.text.startsWith('✅')));
  });

  it('every callback query is answered, even an unknown or stale button', async () => {
    await ready(alice);
    const before = f.answers().length;
    await f.handle(pressUpdate(alice, 'something:old'));
    await f.handle(pressUpdate(alice, 'match:accept:77'));
    assert.equal(f.answers().length, before + 2);
  });

  it('/find maps every refusal to its message and honours the /find rate limit', async () => {
    await ready(alice);
    f.state.findError = new AppError('profile_incomplete', 'x');
    await f.handle(textUpdate(alice, '/find'));
    assert.equal(f.texts(alice.id).at(-1), 'Добавьте минимум 2 темы в профиле: /profile');
    f.state.findError = new AppError('busy', 'x');
    await f.handle(textUpdate(alice, 'Найти собеседника'));
    assert.match(f.texts(alice.id).at(-1)!, /открытое предложение/);
    await f.handle(textUpdate(alice, '/find'));
    assert.match(f.texts(alice.id).at(-1)!, /Слишком часто/);
    assert.equal(f.calls.filter((c) => c.name === 'find').length, 2);
  });

  it('/find tells a user in a chat to end it first', async () => {
    await ready(alice);
    f.state.findError = new AppError('busy', 'x');
    f.state.activeChat = { session: { match_id: 5 } as never, partnerId: 2, partnerChatId: bob.id };
    await f.handle(textUpdate(alice, '/find'));
    assert.match(f.texts(alice.id).at(-1)!, /Вы сейчас в чате/);
  });

  it('a proposal button acts for the presser only; a stranger is told it is not theirs', async () => {
    await ready(alice);
    await ready(mallory);
    const aliceId = f.users.get(alice.id)!.id;
    f.state.matches.set(42, { users: [aliceId, 99], accepted: [], status: 'waiting' });
    const sentBefore = f.sent.length;
    await f.handle(pressUpdate(mallory, 'match:accept:42'));
    assert.equal(f.answers().at(-1)?.payload.text, 'Это предложение не для вас.');
    assert.equal(f.sent.length, sentBefore, 'nothing edited or sent');
    assert.deepEqual(f.calls.find((c) => c.name === 'confirm')?.args, [
      42,
      f.users.get(mallory.id)!.id,
      'accept',
    ]);

    // Every answer is a toast: Telegram does not count those against the bot's message limits.
    const sentBeforeAccept = f.sent.length;
    await f.handle(pressUpdate(alice, 'match:accept:42', 60));
    await f.handle(pressUpdate(alice, 'match:accept:42', 60));
    assert.deepEqual(
      f
        .answers()
        .slice(-2)
        .map((a) => a.payload.text),
      ['Вы согласились. Ждём ответа собеседника…', 'Вы согласились. Ждём ответа собеседника…'],
    );
    assert.equal(f.sent.length, sentBeforeAccept, 'no edit while waiting');
    // Deciding leaves the card to the proposal's effects, which rewrite the partner's card
    // only; the handler itself sends nothing.
    await f.handle(pressUpdate(alice, 'match:decline:42', 60));
    assert.deepEqual(f.calls.filter((c) => c.name === 'confirm').at(-1)?.args, [
      42,
      aliceId,
      'decline',
    ]);
    assert.equal(f.answers().at(-1)?.payload.text, 'Ок, пропускаем. Продолжаю поиск.');
    await f.handle(pressUpdate(alice, 'match:accept:42', 60));
    assert.equal(f.answers().at(-1)?.payload.text, 'Это предложение уже закрыто.');
    assert.equal(f.sent.length, sentBeforeAccept, 'no edit of a decided proposal');
  });

  it('/find queues "Looking for a partner" for a moment later, only while still searching', async () => {
    await ready(alice);
    const before = Date.now();
    await f.handle(textUpdate(alice, '/find'));
    const notice = f.sent.at(-1)!;
    assert.equal(notice.payload.text, 'Ищу вам собеседника… Это может занять до минуты.');
    assert.equal(notice.onlyWhileSearching, `search-${f.users.get(alice.id)!.id}`);
    assert.ok(notice.notBefore! >= before + 1500, 'not before SEARCHING_NOTICE_DELAY_MS');
    assert.equal(notice.purpose, 'searching');
    assert.equal(notice.lane, 'notice', 'nobody waits for it: the sender takes it last');
  });

  it('a failing handler still answers the button and tells the user', async () => {
    await ready(alice);
    f.deps.searches.confirm = () => Promise.reject(new Error('database down'));
    await f.handle(pressUpdate(alice, 'match:accept:1'));
    assert.equal(f.answers().at(-1)?.payload.text, 'Что-то пошло не так. Попробуйте ещё раз.');
  });

  it('ignores groups: a command there does nothing, a button there is only answered', async () => {
    const group = { id: -100123, type: 'group' as const, title: 'g' };
    const command = textUpdate(alice, '/find');
    await f.handle({ message: { ...command.message, chat: group } });
    const press = pressUpdate(alice, 'match:accept:1');
    await f.handle({
      callback_query: {
        ...press.callback_query,
        message: { ...press.callback_query.message, chat: group },
      },
    });
    assert.equal(f.sent.length, 0);
    assert.equal(f.calls.length, 0);
    assert.equal(f.answers().length, 1);
  });

  it('registers the command menu in Russian (default) and English', async () => {
    await registerCommands(f.bot);
    const menus = f.apiCalls.filter((call) => call.method === 'setMyCommands');
    assert.deepEqual(
      menus.map((call) => call.payload.language_code),
      ['ru', undefined, 'en'],
    );
    const en = menus[2]!.payload.commands as { command: string; description: string }[];
    assert.ok(en.some((c) => c.command === 'find' && c.description === 'Find a partner'));
  });
});
