import { createMatchRouter } from '../api/routes/match.js';
import type { RoleFactory } from './role.js';

/** The api role: /match/find, /match/confirm and /match/cancel for other clients. */
export const apiRole: RoleFactory = ({ resources, core }) => {
  const token = resources.config.INTERNAL_API_TOKEN;
  if (!token) resources.log.warn('/match/* refuses every call: INTERNAL_API_TOKEN is not set');
  return {
    routers: [createMatchRouter({ searches: core.searches, internalApiToken: token })],
    components: [],
  };
};
