import type { EmulatorLogger } from './emulator-logger.js';
import { apiErrors, BotApiError } from './bot-api-error.js';
import type { NamedMethod } from './bot-api-methods.js';
import type { CallRecorder } from './call-recorder.js';
import type { MethodCall } from './emulator-context.js';
import type { UploadedFile } from './request-body.js';
import { faultDescription, type FaultInjector } from './fault-injector.js';
import type { FloodLimiter } from './flood-limiter.js';
import type { ApiParams, ApiResponseBody } from './telegram-types.js';

/** One call arriving at the emulated server, from HTTP or in-process. */
export interface DispatchRequest extends Partial<MethodCall> {
  method: string;
  params: ApiParams;
  /** False when the URL carried a wrong token: the call is recorded, then refused with 401. */
  authorized?: boolean;
}

/** What to answer: an HTTP status with Telegram's JSON body, or no answer at all. */
export type DispatchOutcome = { status: number; body: ApiResponseBody } | { dropConnection: true };

export interface DispatcherDeps {
  methods: Map<string, NamedMethod>;
  recorder: CallRecorder;
  faults: FaultInjector;
  flood?: FloodLimiter;
  clock: () => number;
  log?: EmulatorLogger;
}

/**
 * Telegram takes `allow_paid_broadcast` on the send methods and on copyMessage(s) and
 * forwardMessage(s); elsewhere (edits) it is not a parameter and changes nothing.
 */
function isPaidBroadcast(method: string, params: ApiParams): boolean {
  const flag = params.allow_paid_broadcast;
  const paid = flag === true || flag === 'true';
  return paid && /^(send|copyMessage|forwardMessage)/.test(method);
}

/**
 * The request pipeline shared by the HTTP server and in-process callers: authorization,
 * method lookup, injected faults, flood limits, the handler, then recording. Errors become
 * Telegram's error body with the same HTTP status.
 */
export function createApiDispatcher(deps: DispatcherDeps) {
  return async function dispatch(request: DispatchRequest): Promise<DispatchOutcome> {
    const at = deps.clock();
    const spec = deps.methods.get(request.method.toLowerCase());
    const method = spec?.name ?? request.method;
    const record = (outcome: DispatchOutcome): DispatchOutcome => {
      const ok = 'body' in outcome && outcome.body.ok;
      const call: Parameters<CallRecorder['record']>[0] = {
        method,
        params: request.params,
        at,
        ok,
      };
      if ('body' in outcome) {
        if (outcome.body.ok) call.result = outcome.body.result;
        else {
          call.errorCode = outcome.body.error_code;
          call.description = outcome.body.description;
        }
      }
      deps.recorder.record(call);
      return outcome;
    };
    const fail = (error: BotApiError) => record({ status: error.errorCode, body: error.toBody() });

    if (request.authorized === false) return fail(apiErrors.unauthorized());
    if (!spec) return fail(apiErrors.notFound());
    const fault = deps.faults.take(method);
    if (fault && 'dropConnection' in fault) return record({ dropConnection: true });
    if (fault) {
      return fail(
        new BotApiError(
          fault.errorCode,
          faultDescription(fault),
          fault.errorCode === 429 ? (fault.retryAfter ?? 1) : fault.retryAfter,
        ),
      );
    }
    if (spec.sendsToChat && deps.flood) {
      const chatId = Number(request.params.chat_id);
      const retryAfter = Number.isFinite(chatId)
        ? deps.flood.take(chatId, isPaidBroadcast(method, request.params))
        : undefined;
      if (retryAfter !== undefined) return fail(apiErrors.tooManyRequests(retryAfter));
    }
    try {
      const call: MethodCall = { uploads: request.uploads ?? new Map<string, UploadedFile>() };
      if (request.signal) call.signal = request.signal;
      // Synchronous handlers are recorded in the same turn, so a test that awaited the bot's
      // message already finds the call in the recorder.
      const pending = spec.handler(request.params, call);
      const result = pending instanceof Promise ? ((await pending) as unknown) : pending;
      return record({ status: 200, body: { ok: true, result } });
    } catch (error) {
      if (error instanceof BotApiError) return fail(error);
      deps.log?.error({ err: error, method }, 'emulator: method handler failed');
      return fail(new BotApiError(500, 'Internal Server Error'));
    }
  };
}

export type ApiDispatcher = ReturnType<typeof createApiDispatcher>;
