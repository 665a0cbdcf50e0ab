import { createWebSocketInspector } from '@statelyai/inspect';
import type { AnyEventObject } from 'xstate';
import { proposalMachine } from '../../machines/proposal.machine.js';

/**
 * Reports proposal actors to a Stately inspector. The runtime uses xstate's pure
 * `transition`, so there is no live actor to attach to; instead each proposal appears as one
 * actor, `proposal-<matchId>`, that keeps its identity across restores and processes.
 */
export interface ProposalInspector {
  actor(matchId: number, snapshot: { value: unknown; context: unknown; status: string }): void;
  event(
    matchId: number,
    event: AnyEventObject,
    snapshot: { value: unknown; context: unknown; status: string },
  ): void;
  stop(): void;
}

export function createProposalInspector(url: string): ProposalInspector {
  const inspector = createWebSocketInspector({ url });
  const definition = JSON.stringify(proposalMachine.definition);
  const seen = new Set<number>();
  const actorId = (matchId: number) => `proposal-${matchId}`;
  const inspected = (snapshot: { value: unknown; context: unknown; status: string }) => ({
    value: snapshot.value,
    context: snapshot.context,
    status: snapshot.status as 'active' | 'done',
  });

  const announce = (matchId: number, snapshot: Parameters<ProposalInspector['actor']>[1]) => {
    seen.add(matchId);
    inspector.actor(actorId(matchId), inspected(snapshot), { definition });
  };

  return {
    actor: announce,
    event(matchId, event, snapshot) {
      // A proposal created by another process is announced the first time we touch it.
      if (!seen.has(matchId)) announce(matchId, snapshot);
      inspector.event(actorId(matchId), event);
      inspector.snapshot(actorId(matchId), inspected(snapshot), { event });
      if (snapshot.status === 'done') seen.delete(matchId);
    },
    stop() {
      inspector.stop();
    },
  };
}
