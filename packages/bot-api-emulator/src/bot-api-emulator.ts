import { createApiDispatcher } from './api-dispatcher.js';
import type {
  BotApiEmulator,
  BotApiEmulatorOptions,
  SimulatedUserOptions,
} from './bot-api-emulator-types.js';
import { createBotApiHttpServer, type BotApiHttpServer } from './bot-api-http-server.js';
import { createMethodIndex } from './bot-api-methods.js';
import { BotSettingsStore } from './bot-settings-store.js';
import { CallRecorder } from './call-recorder.js';
import { CallbackQueryStore } from './callback-query-store.js';
import { EmulatedChatStore } from './emulated-chat-store.js';
import { EmulatedFileStore } from './emulated-file-store.js';
import { EmulatedUser } from './emulated-user.js';
import type { EmulatorContext } from './emulator-context.js';
import { FaultInjector } from './fault-injector.js';
import { FloodLimiter } from './flood-limiter.js';
import type { User, UserFromGetMe } from './telegram-types.js';
import { UpdateQueue } from './update-queue.js';
import { WebhookDelivery } from './webhook-delivery.js';

const DEFAULT_TOKEN = '5000000001:AAEmulatedBotTokenForLocalTestsOnly0';

/** Creates an emulator; nothing listens until `start()`. */
export function createBotApiEmulator(options: BotApiEmulatorOptions = {}): BotApiEmulator {
  const token = options.token ?? DEFAULT_TOKEN;
  const clock = options.now ?? Date.now;
  const log = options.logger;
  const botInfo = createBotInfo(token, options.bot);
  const reportListenerError = (error: unknown) =>
    log?.error({ err: error }, 'emulator: listener failed');
  const updates = new UpdateQueue(options.firstUpdateId ?? 100_000_001);
  const recorder = new CallRecorder(options.maxRecordedCalls ?? 50_000, reportListenerError);
  const faults = new FaultInjector();
  const webhook = new WebhookDelivery(
    updates,
    options.webhook ?? {},
    // Declared below; only called once deliveries run, after start().
    async (method, params) => void (await dispatch({ method, params })),
    log,
  );
  const ctx: EmulatorContext = {
    bot: botInfo,
    botAsSender: {
      id: botInfo.id,
      is_bot: true,
      first_name: botInfo.first_name,
      username: botInfo.username,
    },
    chats: new EmulatedChatStore(clock, options.maxMessagesPerChat ?? 5_000, reportListenerError),
    files: new EmulatedFileStore(),
    updates,
    webhook,
    callbacks: new CallbackQueryStore(clock, options.callbackQueryTimeoutMs ?? 15_000),
    settings: new BotSettingsStore(),
    clock,
    ...(log ? { log } : {}),
  };
  const flood = options.floodLimit
    ? new FloodLimiter(options.floodLimit === true ? {} : options.floodLimit, clock)
    : undefined;
  const dispatch = createApiDispatcher({
    methods: createMethodIndex(ctx),
    recorder,
    faults,
    clock,
    ...(flood ? { flood } : {}),
    ...(log ? { log } : {}),
  });
  if (log) {
    recorder.onCall((call) =>
      log.debug(
        {
          method: call.method,
          chatId: call.params.chat_id,
          ok: call.ok,
          errorCode: call.errorCode,
        },
        'emulator: call',
      ),
    );
  }
  const users = new Map<number, EmulatedUser>();
  let nextUserId = 1_000_000_001;
  let server: BotApiHttpServer | undefined;
  let root: string | undefined;
  let starting: Promise<string> | undefined;

  return {
    token,
    botInfo,
    get apiRoot() {
      if (!root) throw new Error('the Bot API emulator is not started; call start() first');
      return root;
    },
    start(port = 0, host = '127.0.0.1') {
      starting ??= (async () => {
        const http = createBotApiHttpServer({
          token,
          dispatch,
          files: ctx.files,
          ...(log ? { log } : {}),
        });
        const address = await http.listen(port, host);
        server = http;
        root = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
        log?.info({ port: address.port }, 'emulator: Bot API emulator listening');
        return root;
      })();
      return starting;
    },
    async stop() {
      webhook.stop();
      updates.endPoll();
      // Let the ended long polls write their answers before the sockets are cut.
      await new Promise((resolve) => setImmediate(resolve));
      await server?.close();
      server = undefined;
      root = undefined;
      starting = undefined;
    },
    createUser(userOptions) {
      const id = userOptions.id ?? nextUserId;
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new Error('a user id must be a positive integer');
      nextUserId = Math.max(nextUserId, id + 1);
      const user = new EmulatedUser(ctx, ctx.chats.addUser(toTelegramUser(id, userOptions)));
      users.set(id, user);
      return user;
    },
    user: (id) => users.get(id),
    users: () => [...users.values()],
    calls: (filter) => recorder.calls(filter),
    clearCalls: () => recorder.clear(),
    failNext: (method, fault, times = 1) => faults.add(method, fault, times),
    clearFaults: () => faults.clear(),
    onBotMessage: (listener) => ctx.chats.onBotMessage(listener),
    onApiCall: (listener) => recorder.onCall(listener),
    async callApi(method, params = {}) {
      const outcome = await dispatch({ method, params });
      if ('dropConnection' in outcome) throw new Error(`injected connection drop for ${method}`);
      return outcome.body;
    },
    pendingUpdates: () => updates.size,
    waitForUpdatesConsumed: (timeoutMs = 5_000) => waitUntil(() => updates.size === 0, timeoutMs),
    webhookInfo: () => webhook.info(),
    webhookStats: () => webhook.stats(),
  };
}

function createBotInfo(token: string, bot: BotApiEmulatorOptions['bot'] = {}): UserFromGetMe {
  const id = Number(token.split(':')[0]);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new Error('the bot token must look like "<bot id>:<secret>"');
  return {
    id,
    is_bot: true,
    first_name: bot.firstName ?? 'Emulated Bot',
    username: bot.username ?? 'emulated_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

function toTelegramUser(id: number, options: SimulatedUserOptions): User {
  return {
    id,
    is_bot: false,
    first_name: options.firstName,
    ...(options.lastName ? { last_name: options.lastName } : {}),
    ...(options.username ? { username: options.username } : {}),
    ...(options.languageCode ? { language_code: options.languageCode } : {}),
  };
}

function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline)
        return reject(new Error(`updates still pending after ${timeoutMs} ms`));
      setTimeout(check, 5);
    };
    check();
  });
}
