import type { ApiErrorBody } from './telegram-types.js';

/**
 * A failed Bot API call. Handlers throw it; the dispatcher turns it into Telegram's error body
 * with the same HTTP status, so grammY sees a `GrammyError` just like against the real server.
 */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
    this.name = 'BotApiError';
  }

  toBody(): ApiErrorBody {
    const body: ApiErrorBody = {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
    };
    if (this.retryAfter !== undefined) body.parameters = { retry_after: this.retryAfter };
    return body;
  }
}

const badRequest = (reason: string) => new BotApiError(400, `Bad Request: ${reason}`);

/**
 * Telegram's real description strings. Keeping them in one place lets tests and bot code match
 * on the same text they will meet in production (many bots branch on these descriptions).
 */
export const apiErrors = {
  badRequest,
  unauthorized: () => new BotApiError(401, 'Unauthorized'),
  notFound: () => new BotApiError(404, 'Not Found'),
  tooManyRequests: (retryAfter: number) =>
    new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter),
  webhookConflict: () =>
    new BotApiError(
      409,
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    ),
  pollingConflict: () =>
    new BotApiError(
      409,
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    ),
  botBlocked: () => new BotApiError(403, 'Forbidden: bot was blocked by the user'),
  cantInitiate: () =>
    new BotApiError(403, "Forbidden: bot can't initiate conversation with a user"),
  chatNotFound: () => badRequest('chat not found'),
  missingParam: (name: string) => badRequest(`${name} is empty`),
  textEmpty: () => badRequest('message text is empty'),
  textTooLong: () => badRequest('message is too long'),
  captionTooLong: () => badRequest('message caption is too long'),
  notModified: () =>
    badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    ),
  messageToEditNotFound: () => badRequest('message to edit not found'),
  messageCantBeEdited: () => badRequest("message can't be edited"),
  noTextToEdit: () => badRequest('there is no text in the message to edit'),
  noCaptionToEdit: () => badRequest('there is no caption in the message to edit'),
  messageToDeleteNotFound: () => badRequest('message to delete not found'),
  messageToCopyNotFound: () => badRequest('message to copy not found'),
  messageToForwardNotFound: () => badRequest('message to forward not found'),
  replyNotFound: () => badRequest('message to be replied not found'),
  buttonDataInvalid: () => badRequest('BUTTON_DATA_INVALID'),
  buttonUrlInvalid: () => badRequest('BUTTON_URL_INVALID'),
  queryTooOld: () =>
    badRequest('query is too old and response timeout expired or query ID is invalid'),
  wrongFileId: () => badRequest('wrong file identifier/HTTP URL specified'),
  fileTypeMismatch: () => badRequest('type of file mismatch'),
  cantParseEntities: (reason: string) => badRequest(`can't parse entities: ${reason}`),
} as const;
