import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { createProposalRows, createRuntimeClient, type RuntimeClient } from './proposal-support.js';
import { eventually } from '../helpers/eventually.js';

interface Inspection {
  type: string;
  sessionId: string;
  name?: string;
  definition?: string;
  event?: { type: string; userId?: number };
  snapshot?: { value?: string; status?: string; context?: { acceptedA?: boolean } };
}

/**
 * INSPECT points the app at a WebSocket inspector; here a local WebSocket server stands in
 * for the Stately inspector and records what the real runtime reports.
 */
describe('proposal inspector (INSPECT)', function () {
  this.timeout(60_000);
  let server: WebSocketServer;
  let received: Inspection[] = [];
  let t: TestApp;
  let other: RuntimeClient;

  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        received.push(JSON.parse(data.toString('utf8')) as Inspection);
      });
    });
    const { port } = server.address() as AddressInfo;
    t = await startTestApp({ ROLES: 'api', INSPECT: `ws://127.0.0.1:${port}` });
    // Another "process" without an inspector, to create actors this one only restores.
    other = createRuntimeClient(t.app);
  });
  after(async () => {
    await other?.close();
    await t?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(() => {
    received = [];
  });

  const of = (matchId: number, type: string) =>
    received.filter((event) => event.sessionId === `proposal-${matchId}` && event.type === type);

  it('reports a created actor with its machine, then the event and snapshot of a transition', async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    const { runtime } = t.app.deps.services;
    await runtime.create(row!.input);
    await runtime.send(row!.matchId, { type: 'proposal.accept', userId: row!.userA });

    await eventually(() => {
      assert.ok(of(row!.matchId, '@xstate.snapshot').length >= 1);
      return true;
    });
    const [actor] = of(row!.matchId, '@xstate.actor');
    assert.equal(actor?.name, 'proposal');
    assert.equal(actor?.snapshot?.value, 'Waiting');
    assert.match(actor?.definition ?? '', /"id":"proposal"/, 'the chart can be drawn');
    assert.match(actor?.definition ?? '', /"Confirmed"/);
    const [event] = of(row!.matchId, '@xstate.event');
    assert.deepEqual(event?.event, { type: 'proposal.accept', userId: row!.userA });
    const [snapshot] = of(row!.matchId, '@xstate.snapshot');
    assert.equal(snapshot?.snapshot?.value, 'Waiting');
    assert.equal(snapshot?.snapshot?.context?.acceptedA, true);
    // Registration comes before the first event and snapshot.
    const order = received
      .filter((inspection) => inspection.sessionId === `proposal-${row!.matchId}`)
      .map((inspection) => inspection.type);
    assert.deepEqual(order, ['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
  });

  it('reports an actor it restores (created elsewhere) and its final snapshot', async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    await other.runtime.create(row!.input);
    await other.runtime.send(row!.matchId, { type: 'proposal.accept', userId: row!.userA });
    assert.equal(received.length, 0, 'the other process reports nothing');

    await t.app.deps.services.runtime.send(row!.matchId, {
      type: 'proposal.accept',
      userId: row!.userB,
    });
    await eventually(() => {
      assert.ok(of(row!.matchId, '@xstate.snapshot').length >= 1);
      return true;
    });
    const [actor] = of(row!.matchId, '@xstate.actor');
    assert.equal(actor?.snapshot?.value, 'Waiting', 'announced as restored, before the event');
    const [snapshot] = of(row!.matchId, '@xstate.snapshot');
    assert.equal(snapshot?.snapshot?.value, 'Confirmed');
    assert.equal(snapshot?.snapshot?.status, 'done');
  });

  it('reports an actor rebuilt from PostgreSQL after its snapshot was lost', async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    const { runtime, store } = t.app.deps.services;
    await runtime.create(row!.input);
    await store.remove(row!.matchId);
    received = [];
    await runtime.send(row!.matchId, { type: 'proposal.decline', userId: row!.userB });
    await eventually(() => {
      assert.ok(of(row!.matchId, '@xstate.snapshot').length >= 1);
      return true;
    });
    assert.equal(of(row!.matchId, '@xstate.actor')[0]?.snapshot?.value, 'Waiting');
    assert.equal(of(row!.matchId, '@xstate.snapshot')[0]?.snapshot?.value, 'Declined');
  });
});
