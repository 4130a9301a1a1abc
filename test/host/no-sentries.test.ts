// The control node of a cluster holds no sentries itself (NO_SENTRIES): sentry-netstat run there must say what
// to run instead, not a bare `not connected`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_ERRORS } from '../../src/index.js';
import { NO_SENTRIES } from '../../src/host/index.js';
import { MockHost } from '../../sdk-mock/index.js';
import { connection } from '../helpers/fleet.js';

const CONTROL_NODE = 'this is a control node: use sonar-sentry-netstat';

describe('sentry-netstat on a control node', () => {
  const controlNode = (): MockHost =>
    new MockHost({
      env: {},
      connector: NO_SENTRIES,
      nodes: [{ name: 'dn1', sentries: [{ guid: 'web-01', connections: [connection({ local_port: 22 })] }, { guid: 'db-01' }] }],
    });

  it('says, for every record, that this is a control node and to use sonar-sentry-netstat', async () => {
    const rows = await controlNode().query('sentry | fields guid | sentry-netstat');
    expect(rows.map((r) => [r['guid'], r['_error']]).sort()).toEqual([
      ['db-01', CONTROL_NODE],
      ['web-01', CONTROL_NODE],
    ]);
  });

  it('still fails the call as not-connected, for code that reads the kind', async () => {
    await expect(NO_SENTRIES.call('web-01', 'netstat', {}, { timeoutMs: 1_000 })).rejects.toMatchObject({
      kind: 'not-connected',
      message: CONTROL_NODE,
    });
  });

  it('the message is the catalogue entry, and the sentry-netstat page tells it', () => {
    expect(RUNTIME_ERRORS.CONTROL_NODE.message()).toBe(CONTROL_NODE);
    const page = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'commands', 'sentry-netstat.md'), 'utf8');
    expect(page).toContain(`\`${CONTROL_NODE}\``);
  });
});
