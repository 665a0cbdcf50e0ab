import { packCallback, parseCallback } from '../src/bot/callback-data.js';
import type { Random } from '../sim-kit/random.js';
import type { Person } from './person.js';

/** Share of people who take a /pause instead of resting, after a chat or a search that ended. */
export const PAUSE_CHANCE = 0.08;
/** Of those, the share who come back early with /resume. */
export const RESUME_EARLY_CHANCE = 0.3;
/** One day of /pause in the sandbox (PAUSE_DAY_HOURS): a minute, so pauses end within a run. */
export const SANDBOX_PAUSE_DAY_HOURS = 1 / 60;

export interface PauseDeps {
  random: Random;
  /** Runs `action` after `seconds` of real time, unless the crowd has stopped. */
  afterRealSeconds: (seconds: number, action: () => Promise<unknown>) => void;
  /** The person is idle again (their pause is over, or it never started). */
  back: (person: Person) => void;
  onPaused: () => void;
  onResumedEarly: () => void;
}

/**
 * A person takes a break: /pause, a length from the buttons, then nothing until it ends (the
 * bot may say so, or not at night) or until they come back early with /resume.
 */
export async function takePause(person: Person, deps: PauseDeps): Promise<void> {
  person.state = 'paused';
  const { user } = person;
  const days = deps.random.pick([1, 3, 7] as const);
  try {
    await user.sendCommand('pause');
    const prompt = await user.waitForBotMessage(
      (message) =>
        user
          .inlineButtons(message)
          .some((b) => 'callback_data' in b && parseCallback(b.callback_data)?.type === 'pause'),
      { timeoutMs: 30_000 },
    );
    await user.pressButton(prompt.message_id, packCallback({ type: 'pause', days }));
  } catch {
    deps.back(person);
    return;
  }
  deps.onPaused();
  const lasts = days * SANDBOX_PAUSE_DAY_HOURS * 3600;
  if (deps.random.chance(RESUME_EARLY_CHANCE)) {
    deps.afterRealSeconds(deps.random.int(5, Math.max(6, Math.floor(lasts / 2))), async () => {
      if (person.state !== 'paused') return;
      await user.sendCommand('resume');
      deps.onResumedEarly();
      deps.back(person);
    });
  }
  // A moment past the end, so "Find" is not pressed while the bot still counts them paused.
  deps.afterRealSeconds(lasts + 2, () => {
    if (person.state === 'paused') deps.back(person);
    return Promise.resolve();
  });
}
