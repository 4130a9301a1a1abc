// A comparison between a field whose type a command declares and a literal of another type can never be true:
// the query is refused when it is parsed (90005), rather than silently returning nothing.
import { describe, expect, it } from 'vitest';
import { QueryParseError } from '../../src/index.js';
import { MockHost } from '../../sdk-mock/index.js';

const host = (): MockHost =>
  new MockHost({
    sentries: [
      {
        guid: 'web-01',
        connections: [
          { pid: 80, protocol: 'tcp', local_ip: '10.0.0.5', local_port: 80, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
        ],
      },
    ],
  });

const NETSTAT = 'sentry | fields guid | sentry-netstat';

async function refusal(query: string): Promise<QueryParseError> {
  const error: unknown = await host()
    .query(query)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(error instanceof QueryParseError)) throw new Error(`${query}: expected a parse error, got ${String(error)}`);
  return error;
}

describe('comparing a field of a declared type with a literal of another type', () => {
  it('refuses an int field compared with a string, pointing at the literal and saying what to write', async () => {
    const query = `${NETSTAT} | search local_port == "80"`;
    const error = await refusal(query);
    expect(error.code).toBe(90005);
    expect(error.offset).toBe(query.indexOf('"80"'));
    expect(error.message).toBe(
      `Type mismatch in 'search' at offset ${error.offset}: local_port is an int (as sentry-netstat declares it) and "80" a string: ` +
        'they never compare; write 80 without quotes.',
    );
  });

  it('refuses the other mismatches where and eval can make, whatever side the literal is on', async () => {
    expect((await refusal(`${NETSTAT} | where state == 1`)).message).toContain(
      'state is a string (as sentry-netstat declares it) and 1 a number',
    );
    expect((await refusal(`${NETSTAT} | where "LISTEN" < pid`)).code).toBe(90005);
    expect((await refusal(`${NETSTAT} | search local_ip == "localhost"`)).message).toContain('it is neither an address nor a network');
    expect((await refusal(`${NETSTAT} | eval web = remote_port == "443"`)).code).toBe(90005);
    expect((await refusal('sentry | search connected == "true"')).message).toContain('compare it with true or false');
  });

  it('follows the types through rename, fields, stats and top', async () => {
    expect((await refusal(`${NETSTAT} | rename local_port as port | search port == "80"`)).message).toContain('port is an int');
    expect((await refusal(`${NETSTAT} | stats count by state | search count > "1"`)).message).toContain(
      'count is a long (as stats declares it)',
    );
    expect((await refusal(`${NETSTAT} | top local_port | where percent == "50"`)).code).toBe(90005);
    expect((await refusal(`${NETSTAT} | fields guid, pid | search pid == "80"`)).code).toBe(90005);
  });

  it('lets through what can match: the right type, null, addresses, networks and patterns on an ipaddr', async () => {
    for (const query of [
      `${NETSTAT} | search local_port == 80`,
      `${NETSTAT} | search local_port != null`,
      `${NETSTAT} | search local_ip == "10.0.0.5" and local_ip == "10.0.0.0/8" and local_ip == "10.*"`,
    ]) {
      expect(await host().query(query), query).toHaveLength(1);
    }
  });

  it('compares at run time where the type is not known: json records, eval results, dropped fields', async () => {
    expect(await host().query('json "{\\"local_port\\": \\"80\\"}" | search local_port == "80"')).toHaveLength(1);
    expect(await host().query(`${NETSTAT} | eval local_port = "80" | search local_port == "80"`)).toHaveLength(1);
    expect(await host().query(`${NETSTAT} | fields - local_port | search local_port == "80"`)).toHaveLength(0);
  });
});
