import { strict as assert } from 'node:assert';
import { createBotApiEmulator, type BotApiEmulator } from '../src/index.js';

/** Raw HTTP against the emulator: the wire format itself, independent of grammY. */
describe('Bot API emulator wire format', () => {
  let emulator: BotApiEmulator;
  let base: string;

  const call = async (method: string, body?: unknown, init: RequestInit = {}) => {
    const response = await fetch(`${base}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeEach(async () => {
    emulator = createBotApiEmulator({ bot: { username: 'wire_bot' } });
    await emulator.start();
    base = `${emulator.apiRoot}/bot${emulator.token}`;
  });

  afterEach(() => emulator.stop());

  it('answers a wrong token with 401 and an unknown method with 404', async () => {
    const wrong = await fetch(`${emulator.apiRoot}/bot123:nope/getMe`);
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), {
      ok: false,
      error_code: 401,
      description: 'Unauthorized',
    });
    assert.deepEqual(await call('sendTelepathy', {}), {
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    });
    assert.equal(emulator.calls('sendTelepathy')[0]?.errorCode, 404);
  });

  it('accepts GET with a query string, form bodies and case-insensitive method names', async () => {
    const me = await fetch(`${base}/GETME`);
    assert.equal(
      ((await me.json()) as { result: { username: string } }).result.username,
      'wire_bot',
    );
    const user = emulator.createUser({ firstName: 'Form' });
    await user.start();
    const form = new URLSearchParams({
      chat_id: String(user.chatId),
      text: 'from a form',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] }),
    });
    const response = await fetch(`${base}/sendMessage`, { method: 'POST', body: form });
    const body = (await response.json()) as { result: { text: string } };
    assert.equal(body.result.text, 'from a form');
    assert.deepEqual(user.inlineButtons(), [{ text: 'Go', callback_data: 'go' }]);
    const query = await fetch(`${base}/sendMessage?chat_id=${user.chatId}&text=query`);
    assert.equal(query.status, 200);
    assert.equal(emulator.calls('sendMessage').length, 2);
  });

  it('parses a multipart upload: text fields plus a file part referenced by attach://', async () => {
    const user = emulator.createUser({ firstName: 'Multi' });
    await user.start();
    const form = new FormData();
    form.set('chat_id', String(user.chatId));
    form.set('caption', 'a cat');
    form.set('document', 'attach://file1');
    form.set('file1', new Blob([Buffer.from('%PDF-1.4 cat')]), 'cat.pdf');
    const response = await fetch(`${base}/sendDocument`, { method: 'POST', body: form });
    const { result } = (await response.json()) as {
      result: { document: { file_id: string; file_name: string }; caption: string };
    };
    assert.equal(result.caption, 'a cat');
    assert.equal(result.document.file_name, 'cat.pdf');
    const file = await call('getFile', { file_id: result.document.file_id });
    const path = (file.body.result as { file_path: string }).file_path;
    const download = await fetch(`${emulator.apiRoot}/file/bot${emulator.token}/${path}`);
    assert.equal(Buffer.from(await download.arrayBuffer()).toString(), '%PDF-1.4 cat');
    const again = await call('sendPhoto', { chat_id: user.chatId, photo: result.document.file_id });
    assert.equal(again.body.description, 'Bad Request: type of file mismatch');
  });

  it('long-polls: answers as soon as an update arrives and confirms by offset', async () => {
    const user = emulator.createUser({ firstName: 'Poll' });
    const started = Date.now();
    const pending = call('getUpdates', { timeout: 20 });
    setTimeout(() => void user.sendText('wake up'), 50);
    const first = (await pending).body.result as { update_id: number; message: { text: string } }[];
    assert.ok(Date.now() - started < 2000, 'the poll ended early');
    assert.equal(first[0]?.message.text, 'wake up');
    const again = (await call('getUpdates', {})).body.result as unknown[];
    assert.equal(again.length, 1, 'unconfirmed updates are delivered again');
    const confirmed = await call('getUpdates', { offset: first[0].update_id + 1 });
    assert.deepEqual(confirmed.body.result, []);
    assert.equal(emulator.pendingUpdates(), 0);
  });

  it('ends an older long poll with 409 when a second one starts', async () => {
    const older = call('getUpdates', { timeout: 20 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const newer = call('getUpdates', { timeout: 0 });
    assert.equal((await older).status, 409);
    assert.match(String((await older).body.description), /terminated by other getUpdates request/);
    assert.equal((await newer).status, 200);
  });

  it('filters by allowed_updates and drops all but the last with a negative offset', async () => {
    const user = emulator.createUser({ firstName: 'Filter' });
    await call('getUpdates', { allowed_updates: ['callback_query'] });
    await user.sendText('not wanted');
    assert.equal(emulator.pendingUpdates(), 0);
    await call('getUpdates', { allowed_updates: [] });
    await user.sendText('a');
    await user.sendText('b');
    const last = (await call('getUpdates', { offset: -1 })).body.result as {
      message: { text: string };
    }[];
    assert.deepEqual(
      last.map((update) => update.message.text),
      ['b'],
    );
  });

  it('stores commands per scope and language', async () => {
    const commands = [{ command: 'start', description: 'Start' }];
    const scope = { type: 'all_private_chats' };
    await call('setMyCommands', { commands, scope, language_code: 'en' });
    assert.deepEqual(
      (await call('getMyCommands', { scope, language_code: 'en' })).body.result,
      commands,
    );
    assert.deepEqual((await call('getMyCommands', {})).body.result, []);
    const bad = await call('setMyCommands', {
      commands: [{ command: 'Bad-Name', description: 'x' }],
    });
    assert.equal(bad.body.description, 'Bad Request: BOT_COMMAND_INVALID');
  });

  it('applies the flood limits when enabled: 429 with retry_after per chat', async () => {
    let now = 1_700_000_000_000;
    const limited = createBotApiEmulator({ floodLimit: { perChatBurst: 2 }, now: () => now });
    const user = limited.createUser({ firstName: 'Flood' });
    await user.start();
    const send = () => limited.callApi('sendMessage', { chat_id: user.chatId, text: 'x' });
    assert.equal((await send()).ok, true);
    assert.equal((await send()).ok, true);
    assert.deepEqual(await send(), {
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    now += 1000;
    assert.equal((await send()).ok, true);
  });

  it('enforces the free global limit; allow_paid_broadcast on a send goes past it', async () => {
    const now = 1_700_000_000_000;
    const limited = createBotApiEmulator({
      floodLimit: { globalPerSecond: 3, perChatBurst: 5 },
      now: () => now,
    });
    const users = await Promise.all(
      [1, 2, 3, 4, 5].map(async (n) => {
        const user = limited.createUser({ firstName: `P${n}` });
        await user.start();
        return user;
      }),
    );
    const send = (chatId: number, extra: Record<string, unknown> = {}) =>
      limited.callApi('sendMessage', { chat_id: chatId, text: 'x', ...extra });
    const code = (body: Awaited<ReturnType<typeof send>>) =>
      body.ok ? undefined : body.error_code;
    for (const user of users.slice(0, 3)) assert.equal((await send(user.chatId)).ok, true);
    // The free budget of this second is spent: a fourth chat waits...
    assert.equal(code(await send(users[3]!.chatId)), 429);
    // ...unless the send is a paid broadcast.
    const paid = await send(users[3]!.chatId, { allow_paid_broadcast: true });
    assert.equal(paid.ok, true);
    // An edit cannot be paid for: the flag changes nothing there.
    const message = paid.ok ? (paid.result as { message_id: number }).message_id : 0;
    const edit = await limited.callApi('editMessageText', {
      chat_id: users[3]!.chatId,
      message_id: message,
      text: 'y',
      allow_paid_broadcast: true,
    });
    assert.equal(code(edit), 429);
    // The per-chat limit holds for paid messages too.
    const chat = users[4]!.chatId;
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await send(chat, { allow_paid_broadcast: true })).ok, true);
    }
    assert.equal(code(await send(chat, { allow_paid_broadcast: true })), 429);
  });

  it('ends a pending long poll on stop()', async () => {
    const pending = call('getUpdates', { timeout: 30 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await emulator.stop();
    assert.deepEqual((await pending).body, { ok: true, result: [] });
  });
});
