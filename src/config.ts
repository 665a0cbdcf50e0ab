import { z } from 'zod';

/** The process roles one `main.ts` can run; any subset, comma-separated in ROLES. */
export const ROLE_NAMES = ['api', 'bot', 'matcher', 'timers'] as const;
export type Role = (typeof ROLE_NAMES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (min: number, max: number) =>
  z.coerce
    .number({ invalid_type_error: `expected an integer from ${min} to ${max}` })
    .int(`expected an integer from ${min} to ${max}`)
    .min(min, `expected an integer from ${min} to ${max}`)
    .max(max, `expected an integer from ${min} to ${max}`);

const positive = (max: number) =>
  z.coerce
    .number({ invalid_type_error: `expected a number above 0 and at most ${max}` })
    .positive(`expected a number above 0 and at most ${max}`)
    .max(max, `expected a number above 0 and at most ${max}`);

const url = (protocols: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `expected a ${protocols.join(' or ')} URL such as ${example}`,
    );

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** `host:port,host:port`: seed nodes of a Redis Cluster; the rest are discovered. */
const clusterNodes = z
  .string()
  .transform((value) => value.split(',').map((node) => node.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/,
            'expected a comma list of host:port seed nodes such as 10.0.0.1:7000,10.0.0.2:7000',
          )
          .transform((node) => {
            const at = node.lastIndexOf(':');
            return {
              host: node.slice(0, at).replace(/^\[|\]$/g, ''),
              port: Number(node.slice(at + 1)),
            };
          })
          .refine(
            (node) => node.port > 0 && node.port <= 65535,
            'expected ports from 1 to 65535 in the host:port seed nodes',
          ),
      )
      .min(1),
  );

const roles = z
  .string()
  .transform((value) => value.split(',').map((role) => role.trim()))
  .pipe(
    z
      .array(z.enum(ROLE_NAMES, { message: `expected a comma list of ${ROLE_NAMES.join(', ')}` }))
      .min(1, `expected a comma list of ${ROLE_NAMES.join(', ')}`),
  )
  .transform((list) => [...new Set(list)]);

/** Telegram user ids, comma-separated; empty means none. */
const telegramIds = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '')
      .map(Number),
  )
  .pipe(
    z.array(
      z
        .number({ invalid_type_error: 'expected a comma list of Telegram user ids' })
        .int('expected a comma list of Telegram user ids')
        .positive('expected a comma list of Telegram user ids')
        .max(Number.MAX_SAFE_INTEGER, 'expected a comma list of Telegram user ids'),
    ),
  );

const hours = z
  .string()
  .regex(/^([01]\d|2[0-4]):00-([01]\d|2[0-4]):00$/, 'expected HH:00-HH:00, such as 09:00-23:00')
  .transform((value) => {
    const [start, end] = value.split('-').map((part) => Number(part.slice(0, 2)));
    return { start: start ?? 9, end: end ?? 23 };
  })
  .refine((range) => range.start !== range.end, 'expected a non-empty range such as 09:00-23:00');

/**
 * Every setting the service reads. Keys are the environment variable names; the README's
 * configuration table is checked against this object by a test, so keep the two together.
 */
export const configSchema = z
  .object({
    DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://user:pass@host:5432/tete').default(
      'postgres://postgres@127.0.0.1:5432/tete',
    ),
    DATABASE_POOL_SIZE: int(1, 200).default(10),
    REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default(
      'redis://127.0.0.1:6379',
    ),
    REDIS_CLUSTER_NODES: optional(clusterNodes),
    REDIS_PREFIX: z
      .string()
      .regex(
        /^([A-Za-z0-9_.:-]{0,79}:)?$/,
        'expected empty, or up to 80 letters, digits, dots, dashes or colons ending in a colon',
      )
      .default(''),
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1, 'expected a listen address such as 0.0.0.0').default('0.0.0.0'),
    BOT_TOKEN: optional(
      z.string().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,}$/, 'expected a token from @BotFather'),
    ),
    TELEGRAM_API_ROOT: url(['http:', 'https:'], 'https://api.telegram.org')
      .transform((value) => value.replace(/\/+$/, ''))
      .default('https://api.telegram.org'),
    WEBHOOK_URL: optional(url(['https:', 'http:'], 'https://bot.example.com/telegram/webhook')),
    WEBHOOK_SECRET: optional(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, 'expected 16-256 letters, digits, dashes or underscores'),
    ),
    INTERNAL_API_TOKEN: optional(z.string().min(16, 'expected at least 16 characters')),
    WEBHOOK_LEASE_SECONDS: int(1, 600).default(15),
    PROPOSAL_TTL_SECONDS: int(1, 86_400).default(300),
    COOLDOWN_HOURS: z.coerce
      .number({ invalid_type_error: 'expected a number of hours, 0 or more' })
      .min(0, 'expected a number of hours, 0 or more')
      .max(8760, 'expected at most 8760 hours')
      .default(72),
    MAX_REQUEUES: int(0, 20).default(2),
    SEARCH_TTL_MINUTES: positive(1440).default(30),
    CHAT_IDLE_HOURS: positive(720).default(24),
    WAKING_HOURS: hours.default('09:00-23:00'),
    SWEEP_INTERVAL_SECONDS: int(1, 3600).default(30),
    EFFECT_SWEEP_INTERVAL_SECONDS: int(1, 3600).default(5),
    EFFECT_SWEEP_GRACE_SECONDS: int(0, 3600).default(10),
    SEARCH_STUCK_SECONDS: int(1, 86_400).default(120),
    PROPOSAL_RETENTION_SECONDS: int(1, 2_592_000).default(86_400),
    PROPOSAL_TIMER_CONCURRENCY: int(1, 256).default(16),
    CHAT_TIMER_CONCURRENCY: int(1, 256).default(4),
    MATCH_STREAM_MAXLEN: int(1000, 10_000_000).default(100_000),
    MATCHER_BATCH_SIZE: int(1, 1000).default(32),
    MATCHER_CONCURRENCY: int(1, 64).default(16),
    MATCHER_MAX_DELIVERIES: int(1, 100).default(5),
    MATCHER_CLAIM_IDLE_SECONDS: int(1, 3600).default(30),
    MATCHER_BLOCK_MS: int(10, 60_000).default(1000),
    STREAM_JANITOR_INTERVAL_MS: int(100, 600_000).default(2000),
    OUTBOUND_RATE_PER_SECOND: int(1, 10_000).default(30),
    OUTBOUND_CONCURRENCY: int(1, 256).default(16),
    OUTBOUND_CHAT_INTERVAL_MS: int(0, 60_000).default(1000),
    OUTBOUND_CHAT_BURST: int(1, 20).default(2),
    OUTBOUND_SEARCH_MARGIN_MS: int(0, 60_000).default(250),
    OUTBOUND_LANE_MAX_WAIT_MS: int(100, 3_600_000).default(3000),
    OUTBOUND_NOTICE_MAX_WAIT_MS: int(100, 3_600_000).default(10_000),
    PAID_BROADCAST_PER_SECOND: int(0, 1000).default(0),
    PAID_BROADCAST_DAILY_STARS: int(0, 10_000_000).default(100),
    SEARCHING_NOTICE_DELAY_MS: int(0, 60_000).default(1500),
    SKIP_NOTICE_HOLD_MS: int(0, 60_000).default(1500),
    POLLING_CONCURRENCY: int(1, 256).default(16),
    FIND_RATE_LIMIT_PER_MINUTE: int(1, 10_000).default(6),
    COMMAND_RATE_LIMIT_PER_MINUTE: int(1, 10_000).default(30),
    REPORT_SUSPEND_THRESHOLD: int(1, 1000).default(3),
    ROLES: roles.default(ROLE_NAMES.join(',')),
    LOG_LEVEL: z
      .enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` })
      .default('info'),
    INSPECT: optional(url(['ws:', 'wss:'], 'ws://127.0.0.1:8080')),
    SANDBOX: z.enum(['auto', 'off'], { message: 'expected auto or off' }).default('auto'),
    STARTUP_TIMEOUT_SECONDS: int(0, 600).default(30),
    SHUTDOWN_TIMEOUT_SECONDS: int(1, 600).default(20),
    CONTACT_EXCHANGE_HOURS: positive(720).default(24),
    /** How long a proposal waits when its recipient is not watching the chat (/again). */
    STANDING_PROPOSAL_TTL_SECONDS: int(1, 86_400).default(900),
    PAUSE_DAY_HOURS: positive(24).default(24),
    SEARCH_START_BATCH_MS: int(0, 100).default(2),
    SEARCH_START_BATCH_MAX: int(1, 1000).default(64),
    ADMIN_TELEGRAM_IDS: telegramIds.default(''),
    FALSE_REPORT_LIMIT: int(1, 1000).default(3),
    MATCHER_BATCH_CALLS: int(1, 64).default(4),
    /** How long "Keep looking and notify me" keeps a search standing after one found nobody. */
    STANDING_REQUEST_HOURS: positive(168).default(24),
  })
  .superRefine((config, ctx) => {
    if (config.WEBHOOK_URL !== undefined && config.WEBHOOK_SECRET === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['WEBHOOK_SECRET'],
        message: 'required when WEBHOOK_URL is set',
      });
    }
  });

export type Config = z.output<typeof configSchema>;

/** Variables whose values must never be printed, not even in a validation error. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'BOT_TOKEN',
  'WEBHOOK_SECRET',
  'INTERNAL_API_TOKEN',
]);

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates an environment-like object. Pure: it reads only its argument.
 * @throws ConfigError with one line per bad variable, naming it; values are not echoed.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(configSchema.innerType().shape)) input[key] = env[key];
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = new Map<string, string>();
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'config');
    if (!lines.has(key)) lines.set(key, `${key}: ${issue.message}`);
  }
  throw new ConfigError([...lines.values()]);
}

/** Reads the process environment; the one place in the service that does. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}

/** Masks the password of a connection URL so it can be logged. */
export function maskUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** Where Redis is, for messages: the cluster's seed nodes, or the masked URL. */
export function redisWhere(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): string {
  const nodes = config.REDIS_CLUSTER_NODES;
  if (!nodes?.length) return maskUrl(config.REDIS_URL);
  return `cluster ${nodes.map((node) => `${node.host}:${node.port}`).join(',')}`;
}
