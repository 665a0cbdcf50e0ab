import { apiErrors } from './bot-api-error.js';
import type { EmulatorContext, MethodTable } from './emulator-context.js';
import { readBoolean, readInteger, readString, readStringArray } from './param-readers.js';

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/** getUpdates and the webhook methods. */
export function updateMethods(ctx: EmulatorContext): MethodTable {
  const deleteWebhook = (dropPending: boolean) => {
    ctx.webhook.delete();
    if (dropPending) ctx.updates.dropPending();
    return true;
  };

  return {
    getUpdates: {
      handler: async (params, call) => {
        if (ctx.webhook.active) throw apiErrors.webhookConflict();
        const limit = Math.min(100, Math.max(1, readInteger(params, 'limit') ?? 100));
        const timeoutSeconds = Math.max(0, readInteger(params, 'timeout') ?? 0);
        ctx.updates.setAllowedUpdates(readStringArray(params, 'allowed_updates'));
        return ctx.updates.getUpdates(
          readInteger(params, 'offset'),
          limit,
          timeoutSeconds * 1000,
          call.signal,
        );
      },
    },
    setWebhook: {
      handler: (params) => {
        const url = readString(params, 'url') ?? '';
        const dropPending = readBoolean(params, 'drop_pending_updates') ?? false;
        if (url === '') return deleteWebhook(dropPending);
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw apiErrors.badRequest('invalid webhook URL specified');
        }
        // Real Telegram demands HTTPS on a few ports; the emulator must reach local servers.
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
          throw apiErrors.badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        }
        const secretToken = readString(params, 'secret_token');
        if (secretToken !== undefined && !SECRET_TOKEN.test(secretToken)) {
          throw apiErrors.badRequest('secret token contains unallowed characters');
        }
        const maxConnections = readInteger(params, 'max_connections') ?? 40;
        if (maxConnections < 1 || maxConnections > 100) {
          throw apiErrors.badRequest('bad webhook: max_connections must be between 1 and 100');
        }
        if (dropPending) ctx.updates.dropPending();
        ctx.updates.setAllowedUpdates(readStringArray(params, 'allowed_updates'));
        ctx.updates.endPoll(apiErrors.webhookConflict());
        const config = secretToken ? { url, secretToken, maxConnections } : { url, maxConnections };
        ctx.webhook.set(config);
        return true;
      },
    },
    deleteWebhook: {
      handler: (params) => deleteWebhook(readBoolean(params, 'drop_pending_updates') ?? false),
    },
    getWebhookInfo: { handler: () => ctx.webhook.info() },
  };
}
