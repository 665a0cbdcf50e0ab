import { createInspectorServer } from '@statelyai/inspect/server';

/**
 * `npm run inspector`: a local relay for the Stately inspector. The service sends every
 * proposal actor's events to it (`INSPECT=ws://localhost:8080`); a browser opened at
 * http://localhost:8080 gets a bridge page that loads the inspector UI from stately.ai and
 * feeds it those events. `--port N` picks another port.
 */
const flag = process.argv.indexOf('--port');
const port = flag >= 0 ? Number(process.argv[flag + 1]) : 8080;
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('inspector: --port expects a TCP port number (1-65535)');
  process.exit(1);
}
const server = createInspectorServer({ port, autoOpen: false });
console.log(`inspector relay on ws://localhost:${port}`);
console.log(`  start the service with INSPECT=ws://localhost:${port}`);
console.log(`  open http://localhost:${port} in a browser (the UI itself loads from stately.ai)`);
const stop = () => {
  server.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
