import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { AppError } from '../errors.js';
import { chatSessionRow } from '../db/queries/chat-sessions.js';
import type { ErasedUser } from '../erasure/user-data.js';

// Prior weight of the neutral 0.5 in the helpfulness average: a first rating moves it, one
// rating alone does not decide it.
const PRIOR_WEIGHT = 2;

/** Ratings after a chat: each person rates the other once; they move the score's helpfulness. */
export function createChatRatings(db: DatabasePool) {
  return {
    /**
     * Stores a 1-5 rating of the partner and updates their helpfulness (the score's third
     * term) to the mean of their ratings, scaled to 0..1 and pulled towards 0.5 by a prior.
     * @throws AppError forbidden when the user was not in that chat; conflict when already rated.
     */
    async rate(matchId: number, userId: number, rating: number): Promise<void> {
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
        throw new AppError('bad_request', 'a rating is 1 to 5');
      }
      await db.transaction(async (tx) => {
        const session = await tx.maybeOne(sql.type(chatSessionRow)`
          SELECT * FROM chat_sessions WHERE match_id = ${matchId}`);
        if (!session || (session.user_a !== userId && session.user_b !== userId)) {
          throw new AppError('forbidden', 'this chat is not yours');
        }
        const rated = session.user_a === userId ? session.user_b : session.user_a;
        const inserted = await tx.query(sql.unsafe`
          INSERT INTO feedback (match_id, user_id, rated_id, rating)
          VALUES (${matchId}, ${userId}, ${rated}, ${rating})
          ON CONFLICT DO NOTHING`);
        if (inserted.rowCount === 0) throw new AppError('conflict', 'already rated');
        await tx.query(sql.unsafe`
          UPDATE users SET helpfulness = (
            SELECT (coalesce(sum((rating - 1) / 4.0), 0) + 0.5 * ${PRIOR_WEIGHT})
                   / (count(*) + ${PRIOR_WEIGHT})
            FROM feedback WHERE rated_id = ${rated})
          WHERE id = ${rated}`);
      });
    },

    /** The ratings an erased user gave go; those they received stay, anonymous. */
    async forgetUserRows(tx: CommonQueryMethods, user: ErasedUser): Promise<void> {
      await tx.query(sql.unsafe`DELETE FROM feedback WHERE user_id = ${user.id}`);
    },
  };
}
