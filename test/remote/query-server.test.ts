import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { QueryServer, runRemoteQuery, type StartQuery } from '../../src/remote/index.js';
import { type Row } from '../../src/index.js';
import { MAX_BATCH_ROWS } from '../../src/remote/record-batches.js';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../../src/rpc/challenge.js';

const TOKEN = 'query-server-test-token';
let server: QueryServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A query that emits `count` numbered records, each awaited like a host's sink; `cancelled` says if it was stopped. */
function numberedRecords(count: number): { start: StartQuery; cancelled: () => boolean } {
  let cancelled = false;
  const start: StartQuery = (_query, { onRecord }) => {
    cancelled = false;
    const done = (async () => {
      for (let i = 0; i < count && !cancelled; i++) await onRecord({ n: i });
      return { reason: cancelled ? ('cancel' as const) : ('end' as const) };
    })();
    return {
      done,
      cancel: () => {
        cancelled = true;
      },
    };
  };
  return { start, cancelled: () => cancelled };
}

/** Every frame the node sends for `query` after its challenge, parsed, until it closes. */
async function rawFrames(url: string, query: string): Promise<Array<{ type: string; rows?: Row[] }>> {
  const socket = new WebSocket(url);
  const frames: Array<{ type: string; rows?: Row[]; nonce?: string }> = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; rows?: Row[]; nonce?: string };
    if (frame.type !== 'challenge') return void frames.push(frame);
    const proof = proofOf(secretBytes(TOKEN), PROOF_PURPOSE.query, frame.nonce!, query);
    socket.send(JSON.stringify({ type: 'query', proof, query }));
  });
  await new Promise((resolve) => socket.once('close', resolve));
  return frames;
}

describe('QueryServer record frames', () => {
  it('sends records in order, several per frame, and ends with end', async () => {
    const count = 2 * MAX_BATCH_ROWS + 234;
    server = await QueryServer.listen({ start: numberedRecords(count).start, adminToken: TOKEN });
    const url = `ws://127.0.0.1:${server.address().port}`;

    const frames = await rawFrames(url, 'q');
    const recordFrames = frames.filter((f) => f.type === 'records');
    expect(recordFrames.length).toBeLessThanOrEqual(Math.ceil(count / MAX_BATCH_ROWS) + 1);
    expect(recordFrames.every((f) => f.rows!.length <= MAX_BATCH_ROWS)).toBe(true);
    expect(frames.at(-1)).toEqual({ type: 'end', reason: 'end' });

    const received: unknown[] = [];
    await runRemoteQuery({ url, token: TOKEN, query: 'q', onRecord: (row) => void received.push(row['n']) });
    expect(received).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('stops the query when the client goes away mid-stream', async () => {
    const query = numberedRecords(10_000_000);
    server = await QueryServer.listen({ start: query.start, adminToken: TOKEN });
    const controller = new AbortController();
    let received = 0;
    const outcome = await runRemoteQuery({
      url: `ws://127.0.0.1:${server.address().port}`,
      token: TOKEN,
      query: 'q',
      signal: controller.signal,
      onRecord: () => {
        if (++received === 1_000) controller.abort();
      },
    });
    expect(outcome.reason).toBe('cancel');
    await expect.poll(query.cancelled, { timeout: 5_000 }).toBe(true);
  });
});
