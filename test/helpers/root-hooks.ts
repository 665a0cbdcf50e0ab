import { dropScratchDatabases } from './databases.js';
import { cleanupServices } from './services.js';

/** Mocha root hooks: whatever a run created on the real services is removed at the end. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await dropScratchDatabases();
    await cleanupServices();
  },
};
