import type { CommonQueryMethods } from 'slonik';

/** The user being erased: their id, and their Telegram chat id while it is still known. */
export interface ErasedUser {
  id: number;
  tgId: number | null;
}

/**
 * A module that keeps data about users erases its own share on /delete; the account service
 * only calls them. Both steps must be idempotent: an erasure cut short runs again.
 */
export interface UserDataOwner {
  /** Deletes or anonymises the module's rows, inside the erasure's one transaction. */
  forgetUserRows?(tx: CommonQueryMethods, user: ErasedUser): Promise<void>;
  /** Deletes what the module keeps outside PostgreSQL (Redis keys, queued jobs), after it. */
  forgetUser?(user: ErasedUser): Promise<void>;
}
