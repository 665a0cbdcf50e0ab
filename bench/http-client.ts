import http from 'node:http';

export interface ApiResponse {
  status: number;
  body: unknown;
}

/**
 * A keep-alive JSON client for the internal API. Plain node:http, not fetch: at hundreds of
 * requests a second the load generator must cost as little CPU as it can.
 */
export function createApiClient(options: { port: number; token: string; sockets: number }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.sockets });
  const post = (path: string, payload: unknown): Promise<ApiResponse> =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(payload);
      const request = http.request(
        {
          host: '127.0.0.1',
          port: options.port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(data),
            authorization: `Bearer ${options.token}`,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: response.statusCode ?? 0, body });
          });
          response.on('error', reject);
        },
      );
      request.setTimeout(60_000, () => request.destroy(new Error('request timed out')));
      request.on('error', reject);
      request.end(data);
    });
  return {
    post,
    close: () => agent.destroy(),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
