/**
 * A failure to inject into the next call(s) of a method. An error code produces Telegram's
 * error body (429 also carries `parameters.retry_after`); `dropConnection` destroys the socket
 * without an answer, which grammY reports as an `HttpError`.
 */
export type InjectedFault =
  { errorCode: number; description?: string; retryAfter?: number } | { dropConnection: true };

/** Default descriptions for injected error codes, as Telegram words them. */
const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

export function faultDescription(fault: {
  errorCode: number;
  description?: string;
  retryAfter?: number;
}): string {
  if (fault.description) return fault.description;
  if (fault.errorCode === 429) return `Too Many Requests: retry after ${fault.retryAfter ?? 1}`;
  return DESCRIPTIONS[fault.errorCode] ?? 'Internal Server Error';
}

/** Queues of injected faults per method name ("*" matches any method), consumed in order. */
export class FaultInjector {
  private readonly faults = new Map<string, InjectedFault[]>();

  add(method: string, fault: InjectedFault, times: number): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.faults.set(method, queue);
  }

  /** The fault for this call, if one is queued for the method or for "*". */
  take(method: string): InjectedFault | undefined {
    for (const key of [method, '*']) {
      const queue = this.faults.get(key);
      const fault = queue?.shift();
      if (queue?.length === 0) this.faults.delete(key);
      if (fault) return fault;
    }
    return undefined;
  }

  clear(): void {
    this.faults.clear();
  }
}
