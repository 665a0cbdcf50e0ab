import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { and, not, or, setup } from 'xstate';
import {
  CHART_FILE,
  README_END,
  README_FILE,
  README_START,
  describeActions,
  describeGuard,
  renderChartFile,
  renderMermaid,
  renderReadmeBlock,
} from '../../scripts/chart.js';

describe('proposal chart (npm run chart)', () => {
  it('the committed machines/proposal.chart.md is what the machine generates now', () => {
    assert.equal(
      readFileSync(CHART_FILE, 'utf8'),
      renderChartFile(),
      `${CHART_FILE} is stale: run npm run chart and commit the result`,
    );
  });

  it('the README embeds the same chart', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    assert.ok(start >= 0 && end > start, 'README has the generated chart block');
    assert.equal(
      readme.slice(start + README_START.length, end),
      renderReadmeBlock(),
      'the README chart is stale: run npm run chart',
    );
  });

  it('draws every state, transition, guard and effect of the proposal machine', () => {
    const chart = renderChartFile();
    for (const line of [
      '[*] --> Waiting',
      'Waiting : entry / scheduleExpiry, sendProposal ×2',
      'Waiting : exit / cancelExpiry',
      'Waiting --> Confirmed : proposal.accept [isParticipant and not hasAccepted and hasOtherAccepted] / markAccepted, recordAcceptance',
      'Waiting : on proposal.accept [isParticipant and not hasAccepted] / markAccepted, recordAcceptance',
      'Waiting --> Declined : proposal.decline [isParticipant] / markDeclined',
      'Waiting --> Expired : proposal.expire [isDue]',
      'Declined : entry / closeProposal, coolDownPair, settleSearch ×2, notifyDeclined ×2',
      'Expired --> [*]',
    ]) {
      assert.ok(chart.includes(`  ${line}\n`), `missing: ${line}`);
    }
  });

  it('renders composite guards readably, with parentheses for nested groups', () => {
    assert.equal(describeGuard('a'), 'a');
    assert.equal(describeGuard({ type: 'b' }), 'b');
    assert.equal(describeGuard(and(['a', not('b')]) as never), 'a and not b');
    assert.equal(describeGuard(or(['a', and(['b', 'c'])]) as never), 'a or (b and c)');
    assert.equal(describeGuard(not(or(['a', 'b'])) as never), 'not (a or b)');
    assert.equal(describeActions(['x', 'x', { type: 'y' }, 'x']), 'x ×2, y, x');
  });

  it('walks nested states of any machine', () => {
    const machine = setup({ guards: { locked: () => false } }).createMachine({
      id: 'door',
      initial: 'closed',
      states: {
        closed: {
          initial: 'locked',
          states: { locked: { on: { unlock: 'unlocked' } }, unlocked: {} },
          on: { open: { target: 'opened', guard: not('locked') } },
        },
        opened: { type: 'final' },
      },
    });
    assert.equal(
      renderMermaid(machine as never),
      [
        'stateDiagram-v2',
        '  [*] --> closed',
        '  state closed {',
        '    [*] --> closed_locked',
        '    closed_locked --> closed_unlocked : unlock',
        '  }',
        '  closed --> opened : open [not locked]',
        '  opened --> [*]',
        '',
      ].join('\n'),
    );
  });
});
