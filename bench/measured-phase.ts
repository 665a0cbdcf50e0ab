import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { RedisClient } from '../src/redis/client.js';
import { QUEUE_NAMES, type RedisKeys } from '../src/redis/keys.js';
import {
  drain,
  histogramFigures,
  matcherHistogram,
  streamFigures,
  waitingPoolSize,
} from './bench-phases.js';
import { countDoubleBooked, measureLatency, searchStates } from './checks.js';
import type { ApiClient } from './http-client.js';
import { runLoad, type LoadOptions } from './load-generator.js';
import type { BenchUser } from './population.js';
import { LOAD_GENERATOR, type createResourceMonitor } from './resource-monitor.js';
import { percentileOrNaN, round } from './stats.js';

export interface PhaseContext {
  db: pg.Pool;
  redis: RedisClient;
  keys: RedisKeys;
  api: ApiClient;
  users: readonly BenchUser[];
  random: () => number;
  matcherPorts: readonly number[];
  monitor: ReturnType<typeof createResourceMonitor>;
  /** Everything about how people behave (see LoadOptions). */
  behaviour: Pick<
    LoadOptions,
    | 'reactions'
    | 'thinkMs'
    | 'proposalTtlMs'
    | 'chatIdleMs'
    | 'patienceMs'
    | 'slackMs'
    | 'probeEvery'
  >;
}

/**
 * CPU seconds per process group since the phase's mark, read once the lifecycle of the last
 * requests is over: the pipeline has drained, and a chat opened at the end of the load has
 * had time to end by its idle timeout (when that is short, as in the benchmark).
 */
async function lifecycleCpu(ctx: PhaseContext, loadEndedAt: number) {
  const idleMs = ctx.behaviour.chatIdleMs;
  if (idleMs < 60_000) {
    const wait = loadEndedAt + ctx.behaviour.slackMs + idleMs + 2_000 - Date.now();
    if (wait > 0) await sleep(wait);
  }
  const started = Date.now();
  await ctx.monitor.sample();
  return { processes: ctx.monitor.figures(), seconds: (started - loadEndedAt) / 1000 };
}

function lifecycleFigures(cpu: Awaited<ReturnType<typeof lifecycleCpu>>, accepted: number) {
  const perFind = (seconds: number) =>
    accepted ? round((seconds * 1000) / accepted, 2) : Number.NaN;
  const service = cpu.processes.filter((p) => !LOAD_GENERATOR.includes(p.name));
  return {
    /** Seconds from the end of the load to the reading. */
    afterLoadSeconds: round(cpu.seconds, 1),
    /** Everything but the load generator (the harness and its own database backends). */
    serviceCpuMsPerFind: perFind(service.reduce((sum, p) => sum + p.cpuSeconds, 0)),
    allCpuMsPerFind: perFind(cpu.processes.reduce((sum, p) => sum + p.cpuSeconds, 0)),
    perProcess: cpu.processes.map((p) => ({ name: p.name, cpuMsPerFind: perFind(p.cpuSeconds) })),
  };
}

/**
 * One open-loop load phase and every figure measured over it: throughput, the stream at
 * the end of the load, time to proposal, selection time, then (after the pipeline drained)
 * lost requests, double booking and CPU time per process.
 */
export async function runMeasuredPhase(
  ctx: PhaseContext,
  phase: { rate: number; seconds: number; exclude: ReadonlySet<number> },
) {
  const { db, redis, keys } = ctx;
  const selectBefore = await matcherHistogram(ctx.matcherPorts, 'sql_match_select_ms');
  const loadAverageAtStart = loadavg();
  await ctx.monitor.mark();
  const load = await runLoad({
    ...ctx.behaviour,
    rate: phase.rate,
    durationMs: phase.seconds * 1000,
    users: ctx.users,
    api: ctx.api,
    db,
    random: ctx.random,
    exclude: phase.exclude,
  });
  const loadAverageAtEnd = loadavg();
  const atEnd = await streamFigures(redis, keys);
  await ctx.monitor.sample();
  const processes = ctx.monitor.figures();
  const selectMs = histogramFigures(
    selectBefore,
    await matcherHistogram(ctx.matcherPorts, 'sql_match_select_ms'),
  );
  const poolAtEnd = await waitingPoolSize(db);
  // Answers stop with the load; proposals made near its end expire and may requeue once more.
  const drained = await drain(db, redis, keys, ctx.behaviour.proposalTtlMs, 150_000);
  const lifecycle = await lifecycleCpu(ctx, load.endedAt);

  // Requests sent near the end may be accepted later than that when the API lags behind.
  const lastAck = load.finds.reduce((latest, find) => Math.max(latest, find.ackAt), load.endedAt);
  const latency = await measureLatency(
    db,
    redis,
    keys.queuePrefix(QUEUE_NAMES.outbound),
    load.finds,
    load.startedAt,
    lastAck,
  );
  const states = await searchStates(db, load.startedAt, lastAck);
  const accepted = load.finds.filter((find) => find.outcome === 'queued').length;
  const searches = Object.values(states).reduce((sum, n) => sum + n, 0);
  const outcomes: Record<string, number> = {};
  for (const find of load.finds) outcomes[find.outcome] = (outcomes[find.outcome] ?? 0) + 1;
  // The rate is over the time the requests actually took to be accepted: when the API lags,
  // the last ones are accepted well after the schedule's end, and dividing by the nominal
  // duration would report a rate the service did not sustain.
  const scheduledSeconds = (load.endedAt - load.startedAt) / 1000;
  const seconds = (lastAck - load.startedAt) / 1000;
  const windows: number[] = [];
  for (let start = 0; start + 10 <= load.timeline.length; start += 10) {
    const slice = load.timeline.slice(start, start + 10);
    windows.push(slice.reduce((sum, s) => sum + s.accepted, 0) / 10);
  }
  const httpMs = load.finds.filter((f) => f.status === 200).map((f) => f.ackAt - f.sentAt);
  const cpuTotal = processes.reduce((sum, p) => sum + p.cpuSeconds, 0);
  return {
    rate: phase.rate,
    /** From the first /find sent to the last one accepted. */
    seconds: round(seconds, 1),
    /** How long the schedule sent requests for (the phase's nominal duration). */
    scheduledSeconds: round(scheduledSeconds, 1),
    /** The machine's 1/5/15-minute load averages: other work on the machine shows here. */
    loadAverage: {
      atStart: loadAverageAtStart.map((v) => round(v)),
      atEnd: loadAverageAtEnd.map((v) => round(v)),
    },
    findsSent: load.finds.length,
    findsAccepted: accepted,
    acceptedPerSecond: round(accepted / seconds, 1),
    worst10sWindowPerSecond: windows.length ? Math.min(...windows) : Number.NaN,
    unsent: load.unsent,
    maxInFlight: load.maxInFlight,
    outcomes,
    otherCalls: load.calls,
    findHttpMs: {
      p50: round(percentileOrNaN(httpMs, 50)),
      p99: round(percentileOrNaN(httpMs, 99)),
    },
    timeToProposal: latency,
    selectMs,
    streamAtEnd: atEnd,
    waitingPoolAtEnd: poolAtEnd,
    drain: drained,
    searchStates: states,
    lostRequests:
      Math.max(0, accepted - searches) +
      (states.queued ?? 0) +
      drained.unacknowledged +
      drained.deadLetters,
    doubleBookedUsers: await countDoubleBooked(db),
    /** CPU seconds each process group used during the load (not the drain). */
    cpu: processes.map((p) => ({ name: p.name, seconds: p.cpuSeconds })),
    /** All CPU used during the load per accepted /find: what one /find costs, end to end. */
    cpuMsPerFind: accepted ? round((cpuTotal * 1000) / accepted, 2) : Number.NaN,
    /**
     * CPU from the start of the load until everything it caused has settled (proposals,
     * answers, chats and their idle ends, requeues, expiries), per accepted /find and process.
     */
    lifecycle: lifecycleFigures(lifecycle, accepted),
    timeline: load.timeline,
  };
}

export type PhaseFigures = Awaited<ReturnType<typeof runMeasuredPhase>>;
