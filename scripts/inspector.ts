import { createInspectorServer } from '@statelyai/inspect/server';
import { defineCommand, readCommandLine } from '../src/startup/command-line.js';
import { exitOnFailure } from '../src/startup/exit-on-failure.js';

const COMMAND = defineCommand({
  usage: 'npm run inspector --',
  summary:
    'A local relay for the Stately inspector. The service sends every proposal actor to it\n' +
    '(INSPECT=ws://localhost:PORT); a browser opened at http://localhost:PORT gets a page that\n' +
    'loads the inspector UI from stately.ai and feeds it those events.',
  flags: {
    port: { kind: 'integer', min: 1, max: 65_535, default: 8080, help: 'where the relay listens' },
  },
});

/** `npm run inspector [-- --port N]`. */
function run(): void {
  const { port } = readCommandLine(COMMAND);
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
}

try {
  run();
} catch (error) {
  exitOnFailure('inspector failed')(error);
}
