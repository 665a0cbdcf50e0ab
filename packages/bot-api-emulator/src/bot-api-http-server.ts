import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorLogger } from './emulator-logger.js';
import type { ApiDispatcher } from './api-dispatcher.js';
import { apiErrors, BotApiError } from './bot-api-error.js';
import type { EmulatedFileStore } from './emulated-file-store.js';
import { readRequest } from './request-body.js';

export interface HttpServerDeps {
  token: string;
  dispatch: ApiDispatcher;
  files: EmulatedFileStore;
  log?: EmulatorLogger;
}

export interface BotApiHttpServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Closes the listener and every connection, including idle keep-alive ones. */
  close(): Promise<void>;
}

const API_PATH = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;

/**
 * The HTTP face of the emulator: `{root}/bot<token>/<method>` for calls (GET or POST, any of
 * Telegram's encodings) and `{root}/file/bot<token>/<path>` for file downloads. The token
 * is never logged.
 */
export function createBotApiHttpServer(deps: HttpServerDeps): BotApiHttpServer {
  const server: Server = createServer((request, response) => {
    handle(deps, request, response).catch((error: unknown) => {
      deps.log?.error({ err: error }, 'emulator: request failed');
      if (!response.headersSent)
        sendJson(response, 500, new BotApiError(500, 'Internal Server Error').toBody());
    });
  });
  server.keepAliveTimeout = 60_000;
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  deps: HttpServerDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  const file = FILE_PATH.exec(url.pathname);
  if (file)
    return sendFile(
      deps,
      file[1] === deps.token ? decodeURIComponent(file[2]!) : undefined,
      response,
    );
  const match = API_PATH.exec(url.pathname);
  if (!match) {
    request.resume();
    return sendJson(response, 404, apiErrors.notFound().toBody());
  }
  const [, token, method] = match as unknown as [string, string, string];
  let parsed;
  try {
    parsed = await readRequest(request, url);
  } catch (error) {
    const failure = error instanceof BotApiError ? error : apiErrors.badRequest('invalid request');
    return sendJson(response, failure.errorCode, failure.toBody());
  }
  // A client that disconnects (grammY aborting a long poll on stop) ends its call early.
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  const outcome = await deps.dispatch({
    method,
    params: parsed.params,
    uploads: parsed.files,
    signal: controller.signal,
    authorized: token === deps.token,
  });
  if ('dropConnection' in outcome) return void request.socket.destroy();
  if (controller.signal.aborted) return;
  sendJson(response, outcome.status, outcome.body);
}

function sendFile(deps: HttpServerDeps, path: string | undefined, response: ServerResponse): void {
  const contents = path === undefined ? undefined : deps.files.contents(path);
  if (!contents) return sendJson(response, 404, apiErrors.notFound().toBody());
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': contents.length,
  });
  response.end(contents);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
