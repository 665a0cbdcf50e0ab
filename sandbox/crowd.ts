import type { BotApiEmulator } from '@tete/bot-api-emulator';
import type { Logger } from '../src/logger.js';
import { packCallback } from '../src/bot/callback-data.js';
import { createCrowdStats, type CrowdStats } from './crowd-stats.js';
import { PAUSE_CHANCE, takePause, type PauseDeps } from './crowd-pause.js';
import { onboardPerson } from './onboard-person.js';
import {
  acceptChance,
  createPerson,
  ratingFor,
  readMessage,
  type Person,
  type Seen,
} from './person.js';
import type { PersonProfile } from './population.js';
import { compatible } from '../sim-kit/population.js';
import { createRandom } from '../sim-kit/random.js';
import { maybeInvite, maybeWish, reactAgain } from './crowd-again.js';
import { offerContact } from './crowd-contact.js';
import { createChatting } from './crowd-chat.js';

export interface CrowdOptions {
  emulator: BotApiEmulator;
  profiles: readonly PersonProfile[];
  /** Presses of "Find a partner" per second, across the crowd. */
  rate: number;
  /** People onboarding at the same time. */
  onboardingConcurrency: number;
  seed: number;
  log: Logger;
  /** Sandbox time runs at real speed; this scales think times down for quick runs. */
  speed?: number;
  /**
   * Whether people press "Find a partner" as soon as they have onboarded, as a new user does
   * (the default). Off, they rest until the arrival process picks them, so a fast onboarding
   * (the capacity run's) is not followed by a burst of first searches.
   */
  findWhenOnboarded?: boolean;
  /**
   * Only the /find lifecycle: chats open and end with nothing said in them, and nobody takes a
   * /pause, invites with /again, wishes to chat again or exchanges contacts. So the bot's
   * budget goes to searches, proposals, chat openings and endings alone (the capacity run's
   * `--lifecycle-only`). Off by default: the full crowd model.
   */
  lifecycleOnly?: boolean;
}

/**
 * The simulated humans. They onboard, press "Find" at a Poisson rate, judge proposals by
 * what the message says, answer after a human delay (or not at all), chat for a while, end
 * the chat and rate it, then rest before searching again.
 */
export function createCrowd(options: CrowdOptions) {
  const random = createRandom(options.seed ^ 0x5eed);
  const speed = options.speed ?? 1;
  const stats = createCrowdStats();
  const people = new Map<number, Person>();
  const timers = new Set<NodeJS.Timeout>();
  let running = false;
  let rate = options.rate;
  const lifecycleOnly = options.lifecycleOnly ?? false;

  const later = (seconds: number, action: () => Promise<unknown>) => {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (!running) return;
        action().catch((error: unknown) =>
          options.log.debug({ reason: (error as Error).message }, 'simulated action failed'),
        );
      },
      (seconds * 1000) / speed,
    );
    timers.add(timer);
  };

  /** Sleeps on the sandbox clock; ends early when the crowd stops. */
  const wakers = new Set<() => void>();
  const pause = (seconds: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        timers.delete(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, (seconds * 1000) / speed);
      timers.add(timer);
      wakers.add(wake);
    });

  const rest = (person: Person) => {
    person.state = 'idle';
    person.findIndex = undefined;
    person.restUntil = Date.now() + (random.exponential(45) * 1000) / speed;
    // Some take a longer break with /pause (real minutes, see SANDBOX_PAUSE_DAY_HOURS).
    if (!lifecycleOnly && random.chance(PAUSE_CHANCE)) void takePause(person, pauseDeps);
  };
  const pauseDeps: PauseDeps = {
    random,
    afterRealSeconds: (seconds, action) => later(seconds * speed, action),
    back: (person) => {
      person.state = 'idle';
      person.restUntil = 0;
    },
    onPaused: () => stats.paused(),
    onResumedEarly: () => stats.resumedEarly(),
  };

  function find(person: Person): Promise<unknown> {
    person.state = 'searching';
    const partnerWaiting = [...people.values()].some(
      (other) =>
        other !== person &&
        other.state === 'searching' &&
        compatible(other.profile.topicIds, person.profile.topicIds),
    );
    person.findIndex = stats.find(person.user.id, partnerWaiting);
    return person.user.sendCommand('find');
  }

  const chat = createChatting({ random, later, lifecycleOnly });

  const againCrowd = { random, later, rest };

  function react(person: Person, seen: Seen): void {
    switch (seen.kind) {
      case 'proposal': {
        if (person.state === 'proposed' && person.matchId === seen.matchId) return; // an edit
        person.state = 'proposed';
        person.matchId = seen.matchId;
        if (person.findIndex !== undefined) stats.proposed(person.findIndex);
        person.chatQuality = seen.quality;
        if (random.chance(person.profile.ignoreChance)) return; // they never answer
        const accept = random.chance(acceptChance(person, seen.quality));
        later(random.logNormal(person.profile.answerDelaySeconds, 0.7), async () => {
          await person.user.pressButton(
            seen.messageId,
            packCallback({
              type: 'proposal',
              answer: accept ? 'accept' : 'decline',
              matchId: seen.matchId,
            }),
          );
          // The button's answer says "skipped, I keep looking": no message follows.
          if (!accept && person.state === 'proposed' && person.matchId === seen.matchId) {
            person.state = 'searching';
          }
        });
        return;
      }
      case 'chat.open':
        person.state = 'chatting';
        if (person.matchId !== undefined) stats.chatStarted(person.matchId);
        chat(person);
        return;
      case 'chat.ended':
        if (person.state === 'chatting') rest(person);
        return;
      case 'rating.asked':
        later(random.logNormal(3, 0.5), () =>
          person.user.pressButton(
            seen.messageId,
            packCallback({
              type: 'rate',
              matchId: seen.matchId,
              stars: ratingFor(random, person.chatQuality),
            }),
          ),
        );
        if (!lifecycleOnly) maybeWish(againCrowd, person, seen.messageId, seen.matchId);
        return;
      case 'contact.offered':
        if (!lifecycleOnly) offerContact({ random, later }, person, seen);
        return;
      case 'searching.again':
        person.state = 'searching';
        return;
      case 'again.proposal':
      case 'again.list':
      case 'again.over':
        reactAgain(againCrowd, person, seen);
        return;
      case 'search.over':
        rest(person);
        return;
      default:
        return;
    }
  }

  async function arrivals(): Promise<void> {
    while (running) {
      await pause(random.exponential(1 / rate) * speed);
      if (!running) return;
      const now = Date.now();
      const idle = [...people.values()].filter((p) => p.state === 'idle' && p.restUntil <= now);
      if (!idle.length) {
        stats.noOneIdle();
        continue;
      }
      const person = random.pick(idle);
      if (!lifecycleOnly && maybeInvite(againCrowd, person)) continue;
      await find(person).catch(() => undefined);
    }
  }

  return {
    stats: stats satisfies CrowdStats,
    /** Changes the arrival rate (presses per second) from the next arrival on. */
    setRate(perSecond: number): void {
      rate = perSecond;
    },
    people: () => [...people.values()],
    /**
     * Onboards everyone, a few at a time, through the bot. Whoever has finished presses
     * "Find a partner" a moment later, as a new user does when the bot offers it, while the
     * others are still onboarding; after that the arrival process picks them like anyone.
     * Resolves true once the whole crowd has onboarded, false if the crowd stopped first.
     */
    async start(): Promise<boolean> {
      running = true;
      options.emulator.onBotMessage((event) => {
        const person = people.get(event.chatId);
        if (!person || person.state === 'new' || !running) return;
        for (const seen of readMessage(person.user, event.message, person.texts)) {
          react(person, seen);
        }
      });
      void arrivals();
      const queue = [...options.profiles];
      const worker = async () => {
        for (let profile = queue.shift(); profile && running; profile = queue.shift()) {
          const user = options.emulator.createUser({
            id: profile.telegramId,
            firstName: profile.firstName,
            languageCode: profile.languageCode,
          });
          const person = createPerson(profile, user);
          people.set(user.chatId, person);
          try {
            await onboardPerson(person);
          } catch (error) {
            if (!running) return; // stopped while onboarding: the bot is gone, not broken
            throw error;
          }
          stats.onboarded();
          if (options.findWhenOnboarded === false) {
            person.state = 'idle';
            person.restUntil = 0;
            continue;
          }
          // They read "profile ready" and press the button the bot offers, a moment later.
          later(random.logNormal(2.5, 0.4), () => find(person));
        }
      };
      await Promise.all(Array.from({ length: options.onboardingConcurrency }, worker));
      return running;
    },
    stop(): void {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const wake of wakers) wake();
      wakers.clear();
    },
  };
}

export type Crowd = ReturnType<typeof createCrowd>;
