// The recipe of docs/architecture.md, run: a new sentry-* command is a SentryRpcCall typed by its answer, a
// CommandParser, and an answers entry for the in-memory sentries. Nothing else changes.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  parseSentryRpcOptions,
  RUNTIME_ERRORS,
  SENTRY_RPC_PARSE_ERRORS,
  sentryRpcHelp,
  GUID_INPUT_FIELD,
  ERROR_OUTPUT_FIELD,
  SentryRpcCommand,
  type CommandParser,
  type Row,
  type SentryRpcCall,
} from '../../src/index.js';
import { MockHost } from '../../sdk-mock/index.js';

const psAnswer = z.array(z.object({ pid: z.number().int(), name: z.string() }));
type PsAnswer = z.output<typeof psAnswer>;

const psCall: SentryRpcCall<PsAnswer> = {
  call: async (ctx, guid, _input, options) => {
    const parsed = psAnswer.safeParse(await ctx.sentries.call(guid, 'ps', {}, options));
    if (!parsed.success) throw new Error(RUNTIME_ERRORS.MALFORMED_ANSWER.message('ps', parsed.error.issues[0]!.message));
    return parsed.data;
  },
  // Typed: `answer` is PsAnswer here, no cast.
  toRows: (guid, answer): Row[] => answer.map((p) => ({ guid, pid: p.pid, name: p.name })),
};

const sentryPs: CommandParser = {
  name: 'sentry-ps',
  help: sentryRpcHelp({
    description: 'Retrieves the process list from a remote sentry.',
    syntax: 'sentry-ps [timeout=INT]',
    outputFields: [GUID_INPUT_FIELD, { name: 'pid', type: 'int', description: 'Process ID.' }, ERROR_OUTPUT_FIELD],
  }),
  errors: SENTRY_RPC_PARSE_ERRORS,
  parse: (ctx, argText) => new SentryRpcCommand(parseSentryRpcOptions(ctx, argText), psCall),
};

describe('a new sentry-* command on the shared parts', () => {
  it('gets the guid checks, the pool, the options and _error handling of sentry-netstat', async () => {
    const host = new MockHost({
      env: {},
      commands: [sentryPs],
      sentries: [
        {
          guid: 'web-01',
          answers: {
            ps: [
              { pid: 1, name: 'init' },
              { pid: 42, name: 'nginx' },
            ],
          },
        },
        { guid: 'web-02', answers: { ps: [{ pid: 'one' }] } },
        { guid: 'web-03' },
        { guid: 'web-04', connected: false },
      ],
    });
    const rows = await host.query('sentry | fields guid | sentry-ps timeout=5');
    // In arrival order; compare as a set, and check that one sentry's rows stay together.
    expect(rows).toHaveLength(5);
    const web01 = rows.findIndex((r) => r['guid'] === 'web-01');
    expect(rows[web01 + 1]).toEqual({ guid: 'web-01', pid: 42, name: 'nginx' });
    expect(rows).toEqual(
      expect.arrayContaining([
        { guid: 'web-01', pid: 1, name: 'init' },
        { guid: 'web-01', pid: 42, name: 'nginx' },
        { guid: 'web-02', _error: expect.stringMatching(/^malformed ps answer: /) as unknown },
        { guid: 'web-03', _error: 'unsupported method: ps' },
        { guid: 'web-04', _error: 'not connected' },
      ]),
    );
    await expect(host.query('sentry | sentry-ps timeout=0')).rejects.toMatchObject({ code: 23101 });
  });
});
