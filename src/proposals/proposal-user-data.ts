import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { UserDataOwner } from '../erasure/user-data.js';
import type { ProposalStore } from './proposal-store.js';

/**
 * What proposals keep about a user: the cooldowns their proposals left, and the actor
 * records of their proposals in Redis.
 */
export function createProposalUserData(deps: {
  db: DatabasePool;
  store: ProposalStore;
}): Required<UserDataOwner> {
  return {
    async forgetUserRows(tx, user) {
      await tx.query(sql.unsafe`
        DELETE FROM recent_contacts WHERE user_id = ${user.id} OR other_id = ${user.id}`);
    },

    // Decided proposals only: the pending effects of one that just ended (the partner's
    // notices) must still run.
    async forgetUser(user) {
      const matchIds = await deps.db.anyFirst(sql.type(z.object({ id: z.number() }))`
        SELECT id FROM matches WHERE user_a = ${user.id} OR user_b = ${user.id}`);
      for (const matchId of matchIds) {
        const record = await deps.store.load(matchId);
        if (record && record.pendingEffects.length === 0) await deps.store.remove(matchId);
      }
    },
  };
}
