import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { ErasedUser } from '../erasure/user-data.js';
import type { Notifier } from '../notifications/notifier.js';

export interface ModerationDeps {
  db: DatabasePool;
  notifier: Notifier;
  /** Takes a user out of matching (the safety service's suspension). */
  suspend(userId: number): Promise<void>;
}

/** What operators see of a report: never the chat, only the reason the reporter typed. */
const reportCard = z.object({
  id: z.number(),
  reason: z.string(),
  status: z.enum(['open', 'upheld', 'dismissed', 'cleared']),
  reporter_id: z.number().nullable(),
  reported_id: z.number(),
  /** Reports against the reported person in 30 days that still count. */
  reports_against: z.number(),
  /** Reports the reporter filed, and how many of them operators dismissed. */
  reporter_reports: z.number(),
  reporter_dismissed: z.number(),
  suspended: z.boolean(),
});
export type ReportCard = z.infer<typeof reportCard>;

const appealCard = z.object({
  id: z.number(),
  user_id: z.number(),
  text: z.string(),
  reports_against: z.number(),
  outcome: z.enum(['lifted', 'kept']).nullable(),
  suspended: z.boolean(),
});
export type AppealCard = z.infer<typeof appealCard>;

export type ReportAction = 'suspend' | 'lift' | 'dismiss';
export type AppealOutcome =
  { kind: 'sent'; appeal: AppealCard } | { kind: 'already' } | { kind: 'not_suspended' };

const windowFigures = z.object({
  people: z.number(),
  new_people: z.number(),
  searches: z.number(),
  proposals: z.number(),
  accepted: z.number(),
  decided: z.number(),
  chats: z.number(),
});
export type WindowFigures = z.infer<typeof windowFigures>;

/**
 * Operators: they decide each report (suspend the reported person, lift a suspension, or
 * dismiss the report, which then counts against its reporter), read one appeal per suspension,
 * and see the service's figures. Who is an operator is the bot's concern (ADMIN_TELEGRAM_IDS).
 */
export function createModeration(deps: ModerationDeps) {
  const { db, notifier } = deps;

  const readReport = (id: number) =>
    db.maybeOne(sql.type(reportCard)`
      SELECT r.id, r.reason, r.status, r.reporter_id, r.reported_id,
             (SELECT count(*)::int FROM reports a WHERE a.reported_id = r.reported_id
                AND a.status IN ('open', 'upheld')
                AND a.created_at > now() - interval '30 days') AS reports_against,
             (SELECT count(*)::int FROM reports f WHERE f.reporter_id = r.reporter_id)
               AS reporter_reports,
             (SELECT count(*)::int FROM reports f WHERE f.reporter_id = r.reporter_id
                AND f.status = 'dismissed') AS reporter_dismissed,
             u.suspended_at IS NOT NULL AS suspended
      FROM reports r JOIN users u ON u.id = r.reported_id
      WHERE r.id = ${id}`);

  const readAppeal = (id: number) =>
    db.maybeOne(sql.type(appealCard)`
      SELECT a.id, a.user_id, a.text, a.outcome,
             (SELECT count(*)::int FROM reports r WHERE r.reported_id = a.user_id
                AND r.status IN ('open', 'upheld')) AS reports_against,
             u.suspended_at IS NOT NULL AS suspended
      FROM appeals a JOIN users u ON u.id = a.user_id
      WHERE a.id = ${id}`);

  /**
   * Ends a suspension: the reports behind it stop counting (without counting against their
   * reporters), an open appeal is answered, and the person is told they can search again.
   */
  async function lift(userId: number, by: number): Promise<void> {
    const lifted = await db.transaction(async (tx) => {
      const at = await tx.maybeOneFirst(sql.type(z.object({ at: z.number() }))`
        WITH old AS (SELECT suspended_at FROM users WHERE id = ${userId} FOR UPDATE)
        UPDATE users u SET suspended_at = NULL FROM old
        WHERE u.id = ${userId} AND old.suspended_at IS NOT NULL
        RETURNING (extract(epoch FROM old.suspended_at) * 1000)::float8 AS at`);
      await tx.query(sql.unsafe`
        UPDATE reports SET status = 'cleared', decided_at = now(), decided_by = ${by}
        WHERE reported_id = ${userId} AND status IN ('open', 'upheld')`);
      await tx.query(sql.unsafe`
        UPDATE appeals SET outcome = 'lifted', decided_at = now(), decided_by = ${by}
        WHERE user_id = ${userId} AND outcome IS NULL`);
      return at;
    });
    if (lifted !== null) {
      await notifier.notify(userId, { kind: 'suspension.lifted', suspendedAt: Math.round(lifted) });
    }
  }

  return {
    readReport,
    readAppeal,

    /** An operator's decision on a report; returns the report as it is afterwards. */
    async decideReport(id: number, action: ReportAction, by: number): Promise<ReportCard | null> {
      const report = await readReport(id);
      if (!report) return null;
      if (action === 'suspend') {
        await deps.suspend(report.reported_id);
        await db.query(sql.unsafe`
          UPDATE reports SET status = 'upheld', decided_at = now(), decided_by = ${by}
          WHERE id = ${id}`);
      } else if (action === 'lift') {
        await lift(report.reported_id, by);
      } else {
        await db.query(sql.unsafe`
          UPDATE reports SET status = 'dismissed', decided_at = now(), decided_by = ${by}
          WHERE id = ${id}`);
      }
      return readReport(id);
    },

    /** A suspended person's one appeal for the current suspension. */
    async appeal(userId: number, text: string): Promise<AppealOutcome> {
      const body = text.trim().slice(0, 1000);
      const id = await db.maybeOneFirst(sql.type(z.object({ id: z.number() }))`
        INSERT INTO appeals (user_id, suspended_at, text)
        SELECT id, suspended_at, ${body} FROM users
        WHERE id = ${userId} AND suspended_at IS NOT NULL
        ON CONFLICT (user_id, suspended_at) DO NOTHING
        RETURNING id`);
      if (id !== null) {
        const appeal = await readAppeal(id);
        if (appeal) return { kind: 'sent', appeal };
      }
      const suspended = await db.oneFirst(sql.type(z.object({ s: z.boolean() }))`
        SELECT suspended_at IS NOT NULL AS s FROM users WHERE id = ${userId}`);
      return suspended ? { kind: 'already' } : { kind: 'not_suspended' };
    },

    /** An operator's answer to an appeal: lift the suspension, or keep it (and say so). */
    async decideAppeal(id: number, lifted: boolean, by: number): Promise<AppealCard | null> {
      const appeal = await readAppeal(id);
      if (!appeal) return null;
      if (lifted) {
        await lift(appeal.user_id, by);
      } else {
        const kept = await db.maybeOneFirst(sql.type(z.object({ id: z.number() }))`
          UPDATE appeals SET outcome = 'kept', decided_at = now(), decided_by = ${by}
          WHERE id = ${id} AND outcome IS NULL RETURNING id`);
        if (kept !== null)
          await notifier.notify(appeal.user_id, { kind: 'appeal.kept', appealId: id });
      }
      return readAppeal(id);
    },

    /** People, searches, proposals, accept rate and chats over the last `hours`. */
    async figures(hours: number): Promise<WindowFigures> {
      const since = sql.fragment`now() - ${hours}::float8 * interval '1 hour'`;
      return db.one(sql.type(windowFigures)`
        SELECT
          (SELECT count(*)::int FROM users WHERE deleted_at IS NULL) AS people,
          (SELECT count(*)::int FROM users WHERE deleted_at IS NULL AND created_at > ${since})
            AS new_people,
          (SELECT count(*)::int FROM searches WHERE requested_at > ${since}) AS searches,
          (SELECT count(*)::int FROM matches WHERE created_at > ${since}) AS proposals,
          (SELECT count(*)::int FROM matches WHERE created_at > ${since} AND status = 'active')
            AS accepted,
          (SELECT count(*)::int FROM matches WHERE created_at > ${since} AND status <> 'proposed')
            AS decided,
          (SELECT count(*)::int FROM chat_sessions WHERE started_at > ${since}) AS chats`);
    },

    /** An erased person's appeals go (their words); reports are the safety service's. */
    async forgetUserRows(tx: CommonQueryMethods, user: ErasedUser): Promise<void> {
      await tx.query(sql.unsafe`DELETE FROM appeals WHERE user_id = ${user.id}`);
    },
  };
}

export type Moderation = ReturnType<typeof createModeration>;
