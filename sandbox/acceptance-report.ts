import { acceptanceTable, type SandboxFigures } from './sandbox-figures.js';
import type { SandboxOptions } from './sandbox-options.js';

export interface AcceptanceInput {
  figures: SandboxFigures;
  options: SandboxOptions;
  startedAt: Date;
  seconds: number;
  /** Seconds from the start until the whole crowd had onboarded; undefined if it never did. */
  onboardedSeconds?: number | undefined;
  commit: string;
  prometheus?: string;
  alerts?: {
    rules: { name: string; health: string }[];
    fired: { alertname: string; firstSeen: string }[];
  };
}

const MODEL = `## How the crowd behaves

Only Telegram's servers (the built-in Bot API emulator) and the people are simulated; the
service is the real one, every role, on PostgreSQL and Redis. Each simulated person:

- **Onboards through the bot** like a person: /start, "I agree", one press per topic, "Done",
  a time zone button (or types it). Topics: 2–6 per person (weights 2:4:4:3:1), drawn from
  the catalogue with Zipf-skewed popularity (exponent 0.9, random order), so a few topics are
  very common and most are rare. Time zones: mostly Russian zones (Moscow 44%), the
  neighbours (Minsk, Kyiv, Almaty, Tashkent, the Caucasus, Istanbul) and a diaspora (Berlin,
  London, Dubai, Bangkok, New York, Los Angeles, Tokyo). 15% use English.
- **Presses "Find a partner"** when the crowd's Poisson arrival process (the \`--rate\`)
  picks them among people who are idle and rested, and once a moment (median 2.5 s) after
  onboarding, as a new user does; so matching starts while the crowd is still onboarding.
- **Judges a proposal from its text**, as a person reads it: quality q = 0.65·min(shared
  topics/4, 1) + 0.35·min(shared waking hours/14, 1). They accept with probability
  (0.3 + 0.7·q)·openness, where openness is personal, uniform in 0.6–1.0. This is an
  assumption, not a measurement: about 64% of people accept a typical proposal here (q≈0.65).
- **Answers after a human delay**: log-normal around a personal median (itself log-normal
  around 6 s); some never answer (2% of people ignore 2% of proposals, 30% ignore 8%, 10%
  ignore 25%), which lets proposals expire.
- **Chats** when both accepted: each sends 1–5 short lines a few seconds apart (log-normal,
  median 4 s); whoever runs out first sends /end. Both then rate 1–5, following q with noise.
- **Chats again**: after a chat with q ≥ 0.5, each presses "I'd chat again" with probability
  0.5; when the arrival process picks an idle person, 15% of the time they send /again instead
  of "Find" and invite one of their saved partners, who answers that invitation like a
  proposal (q taken as 0.7). An invitation to someone in their night is held until morning.
- **Rests** after a chat or an ended search (exponential, mean 45 s) before searching again.

How the figures are measured:

- *Time to proposal* is what the user saw: from sending /find to the proposal message
  arriving in their Telegram chat, through the outbound queue and its per-chat throttle.
  Only the first proposal of each /find counts.
- */find within 60 s* counts each /find once it has a proposal or is at least 60 s old.
- *Compatible partner waiting* means the service had someone it could propose when the user
  pressed /find: another person with an open search who was not in a proposal of their own,
  sharing ≥ 2 topics, never proposed to this user before (a decided proposal leaves the pair
  a cooldown) and not blocked. It is judged after the fact from PostgreSQL's history
  (\`sandbox/partner-waiting.ts\`). The crowd's own view, someone compatible searching as the
  crowd saw it, is reported beside it: it also counts partners in cooldown and partners whose
  own proposal was already on its way, so some of those finds cannot get a proposal within
  1 s however fast the bot is.
- *accept_rate* is confirmed / decided proposals in PostgreSQL over the whole run, the same
  ratio the \`accept_rate\` gauge reports over 60 minutes.`;

/** bench/ACCEPTANCE.md: the run's parameters, the figures against the sprint, alerts, the model. */
export function renderAcceptance(input: AcceptanceInput): string {
  const { options } = input;
  const alertLines = input.alerts
    ? [
        `Prometheus (${input.prometheus ?? '?'}) scraped the service every 5 s and evaluated ` +
          `${input.alerts.rules.length} alert rules every 5 s ` +
          `(rule health: ${[...new Set(input.alerts.rules.map((rule) => rule.health))].join(', ') || 'none loaded'}).`,
        '',
        input.alerts.fired.length
          ? `**Alerts that fired:** ${input.alerts.fired.map((a) => `${a.alertname} (from ${a.firstSeen})`).join(', ')}.`
          : '**No alert fired** during the run (`ALERTS{alertstate="firing"}` was empty throughout).',
      ]
    : ['Prometheus was not installed, so the alert rules were not evaluated in this run.'];
  return [
    '# Acceptance run',
    '',
    `Command: \`npm run acceptance -- --users ${options.users} --rate ${options.rate} ` +
      `--duration ${options.duration} --ttl ${options.ttl} --seed ${options.seed}\``,
    '',
    `Run at ${input.startedAt.toISOString()} for ${Math.round(input.seconds)} s, commit ${input.commit}, ` +
      'on the 2-core development machine with PostgreSQL and Redis local. ' +
      (input.onboardedSeconds === undefined
        ? 'The crowd never finished onboarding.'
        : `The crowd onboarded through the bot in the first ${Math.round(input.onboardedSeconds)} s ` +
          '(each person pressed "Find" as soon as they had onboarded); the run went on for ' +
          `${Math.round(input.seconds - input.onboardedSeconds)} s after that.`),
    '',
    '## Figures (section 10 of the sprint document)',
    '',
    acceptanceTable(input.figures),
    '',
    'Where a figure falls short, `bench/ACCEPTANCE-NOTES.md` says why, from measurements.',
    '',
    '## Alerts',
    '',
    ...alertLines,
    '',
    MODEL,
    '',
  ].join('\n');
}

/**
 * Formats the report the way the repository's prettier wants, so a committed run passes
 * `npm run format:check`. Prettier is a development dependency: where it is not installed
 * (a production image) the report is written as rendered.
 */
export async function formatMarkdown(path: string, text: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path)) ?? {};
    return await prettier.format(text, { ...options, filepath: path });
  } catch {
    return text;
  }
}
