import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The parts of a webhook response that matter to delivery. */
export interface WebhookResponse {
  status: number;
  statusText: string;
  contentType: string | undefined;
  body: string;
}

/**
 * POSTs updates to the webhook over keep-alive connections. Plain `node:http` rather than
 * `fetch`: it is faster under load and, unlike fetch, does not refuse "bad ports" such as 6000
 * that a local test server may happen to get.
 */
export class WebhookHttpClient {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor() {
    this.httpAgent = new HttpAgent({ keepAlive: true });
    this.httpsAgent = new HttpsAgent({ keepAlive: true });
  }

  post(
    url: string,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<WebhookResponse> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        target,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          signal,
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              contentType: response.headers['content-type'],
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  /** Closes the pooled connections (emulator shutdown); the client stays usable. */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Telegram's wording for a failed delivery, as shown in `last_error_message`. */
export function describeNetworkError(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'Read timeout expired';
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'Connection refused';
  if (code === 'ENOTFOUND') return 'Failed to resolve host: Name or service not known';
  if (code === 'ECONNRESET') return 'Connection reset by peer';
  return 'Connection failed';
}
