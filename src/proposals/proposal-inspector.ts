import { createWebSocketInspector } from '@statelyai/inspect';
import type { AnyEventObject } from 'xstate';
import { proposalMachine } from '../../machines/proposal.machine.js';

type InspectedState = { value: unknown; context: unknown; status: string };

/**
 * Reports proposal actors to a Stately inspector. The runtime uses xstate's pure
 * `transition`, so there is no live actor to attach to; instead each proposal appears as one
 * actor, `proposal-<matchId>`, that keeps its identity across restores and processes.
 */
export interface ProposalInspector {
  /** A proposal this process created or rebuilt. */
  actor(matchId: number, snapshot: InspectedState): void;
  /**
   * An event this process applied (or found to change nothing), the state after it and the
   * state it was restored in; a proposal this process has not reported yet is announced in
   * that restored state first.
   */
  event(
    matchId: number,
    event: AnyEventObject,
    snapshot: InspectedState,
    restored: InspectedState,
  ): void;
  stop(): void;
}

/** Proposals announced by this process; forgotten in bulk past this many (a dev tool). */
const MAX_SEEN = 10_000;

export function createProposalInspector(url: string): ProposalInspector {
  const inspector = createWebSocketInspector({ url });
  const seen = new Set<number>();
  // @statelyai/inspect 0.7 ignores `info.definition` and reads the machine from
  // `actorRef.logic.config`, so each proposal is reported through an actor-like object that
  // carries the machine: without it the inspector cannot draw the chart.
  const actorOf = (matchId: number, snapshot: InspectedState) => ({
    sessionId: `proposal-${matchId}`,
    id: `proposal-${matchId}`,
    logic: proposalMachine,
    send: () => undefined,
    getSnapshot: () => snapshot,
  });
  const inspected = (snapshot: InspectedState) => ({
    value: snapshot.value,
    context: snapshot.context,
    status: snapshot.status as 'active' | 'done',
  });

  const announce = (matchId: number, snapshot: InspectedState) => {
    if (seen.size >= MAX_SEEN) seen.clear();
    seen.add(matchId);
    inspector.actor(actorOf(matchId, snapshot), inspected(snapshot));
  };

  return {
    actor: announce,
    event(matchId, event, snapshot, restored) {
      // A proposal created by another process is announced the first time we touch it.
      if (!seen.has(matchId)) announce(matchId, restored);
      const actor = actorOf(matchId, snapshot);
      inspector.event(actor, event);
      inspector.snapshot(actor, inspected(snapshot), { event });
      if (snapshot.status === 'done') seen.delete(matchId);
    },
    stop() {
      inspector.stop();
    },
  };
}
