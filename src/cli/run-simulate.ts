import { Command, InvalidArgumentError } from 'commander';
import { KeyFileError } from '../connector/key-file.js';
import { checkFaultFractions } from '../simulator/fault-plan.js';
import { fakeNetstatAnswer } from '../simulator/fake-connections.js';
import { FleetConnectError, startFleet } from '../simulator/fleet.js';
import { readCredentialsFile } from '../simulator/fleet-keys.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import type { CliIo } from './cli-io.js';
import { CA_HELP, INSECURE_HELP, readClientTls } from './tls-options.js';
import { requireSecureUrl } from '../rpc/transport-security.js';

interface SimulateArguments {
  readonly connect?: string;
  readonly keys?: string;
  readonly ca?: string;
  readonly insecure?: boolean;
  readonly count?: number;
  readonly connections: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly timeoutFraction: number;
  readonly disconnectFraction: number;
  readonly garbageFraction: number;
}

const nonNegativeInteger = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};
const positiveInteger = (value: string): number => {
  const n = nonNegativeInteger(value);
  if (n === 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const fraction = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
};

/**
 * `sentry-query simulate --connect URL --keys FILE [--ca FILE] [--insecure] [--count N] [--connections N] [--latency-ms N] [--jitter-ms N]
 * [--timeout-fraction F] [--disconnect-fraction F] [--garbage-fraction F]` connects the first N sentries of the
 * connector's keys file as simulated sentries (see `startFleet`), says so in one line once all are connected,
 * and runs until interrupted; then it drops them all and exits 0. Exits 1 if any could not connect.
 */
export async function runSimulate(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query simulate')
    .description('Connects a fleet of simulated sentries (fake connections, scripted faults) to a connector, until interrupted.')
    .requiredOption('--connect <url>', 'connector to connect to (wss://; ws:// to loopback)')
    .option('--ca <file>', CA_HELP)
    .option('--insecure', INSECURE_HELP)
    .requiredOption('--keys <file>', "the connector's keys file (JSON object guid → key)")
    .option('--count <n>', 'simulate the first N guids of the keys file (default: all)', positiveInteger)
    .option('--connections <n>', 'connections in each netstat answer', nonNegativeInteger, 3)
    .option('--latency-ms <n>', 'delay before each answer', nonNegativeInteger, 0)
    .option('--jitter-ms <n>', 'up to this much extra delay per answer', nonNegativeInteger, 0)
    .option('--timeout-fraction <f>', 'share of sentries that never answer', fraction, 0)
    .option('--disconnect-fraction <f>', 'share of sentries that drop their socket when called', fraction, 0)
    .option('--garbage-fraction <f>', 'share of sentries that answer with a non-JSON frame', fraction, 0);
  program.addHelpText(
    'after',
    '\nExamples:\n  sentry-query simulate --connect ws://127.0.0.1:8443 --keys keys.json --count 1000 --latency-ms 50 --jitter-ms 200\n' +
      '  sentry-query simulate --connect wss://node:8443 --ca cert.pem --keys keys.json --timeout-fraction 0.05\n',
  );
  const parsed = await parseCommandLine<[SimulateArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  if (args.connect === undefined || args.keys === undefined) return EXIT.failure;
  const fractions = {
    timeoutFraction: args.timeoutFraction,
    disconnectFraction: args.disconnectFraction,
    garbageFraction: args.garbageFraction,
  };
  let wsOptions: { ca: Buffer } | undefined;
  try {
    // Before anything is read or opened: a plain ws:// off this machine is refused unless --insecure.
    requireSecureUrl(args.connect, args.insecure === true);
    checkFaultFractions(fractions);
    wsOptions = await readClientTls(args.ca);
  } catch (error) {
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  let credentials;
  try {
    credentials = await readCredentialsFile(args.keys);
  } catch (error) {
    if (!(error instanceof KeyFileError)) throw error;
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT.failure;
  }
  const count = args.count ?? credentials.length;
  if (count > credentials.length) {
    io.stderr.write(`error: --count ${count} but ${args.keys} holds ${credentials.length} guids\n`);
    return EXIT.failure;
  }

  const fleet = startFleet({
    url: args.connect,
    insecure: args.insecure === true,
    ...(wsOptions && { wsOptions }),
    sentries: credentials,
    count,
    methods: { netstat: (guid, params) => fakeNetstatAnswer(guid, args.connections, params) },
    latencyMs: args.latencyMs,
    jitterMs: args.jitterMs,
    ...fractions,
  });
  // Interrupted while connecting: stop at once rather than wait for every handshake.
  const interrupted = new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const connected = await Promise.race([
    fleet.ready.then(
      () => true,
      (error: unknown) => error,
    ),
    interrupted.then(() => false),
  ]);
  if (connected instanceof FleetConnectError) {
    io.stderr.write(`error: ${connected.message}\n`);
    await fleet.stop();
    return EXIT.failure;
  }
  if (connected !== true && connected !== false) throw connected;
  if (connected) {
    const faults = { healthy: 0, timeout: 0, disconnect: 0, garbage: 0 };
    for (const { fault } of fleet.members) faults[fault]++;
    io.stderr.write(
      `${count} simulated sentries connected to ${args.connect} (${faults.timeout} timeout, ` +
        `${faults.disconnect} disconnect, ${faults.garbage} garbage); interrupt to stop\n`,
    );
  }
  await interrupted;
  await fleet.stop();
  return EXIT.ok;
}
