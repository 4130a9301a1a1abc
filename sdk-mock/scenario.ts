import { z } from 'zod';
import { netstatDetailConnectionSchema } from '../src/commands/netstat-answer.js';
import { readJsonFile } from '../src/runtime/read-file.js';
import { describeIssue } from '../src/runtime/zod-issue.js';
import type { MockHostOptions } from './mock-host.js';

/** A scenario file could not be used; the message names the file and the bad path in it. */
export class ScenarioError extends Error {
  /** Always `ScenarioError`. */
  override readonly name = 'ScenarioError';
}

/** Connections are checked like a sentry's answer with its detail fields, but kept as written (they are what the sentry sends). */
const connections = z.array(z.unknown()).superRefine((list, ctx) => {
  list.forEach((connection, index) => {
    const checked = netstatDetailConnectionSchema.safeParse(connection, { reportInput: true });
    if (checked.success) return;
    for (const issue of checked.error.issues) {
      ctx.addIssue({
        code: 'custom',
        path: [index, ...issue.path],
        message: issue.message,
        input: 'input' in issue ? issue.input : undefined,
      });
    }
  });
});

const sentry = z.strictObject({
  /** The sentry's GUID. */
  guid: z.string().min(1, { error: 'expected a non-empty guid' }),
  /** Whether the sentry is connected. @default true */
  connected: z.boolean().optional(),
  /** Milliseconds before it answers. @default 0 */
  delay_ms: z.number().int().min(0).max(3_600_000).optional(),
  /** Operating system the sentry reports. */
  os: z.string().optional(),
  /** Host name the sentry reports. */
  hostname: z.string().optional(),
  /** IP address the sentry appears to connect from. */
  remote_ip: z.ipv4().or(z.ipv6()).optional(),
  /** What `netstat` answers, checked like a sentry's answer. @default [] */
  connections: connections.optional(),
  /** What other methods answer, by method name (e.g. `{ "ps": [...] }`), as sent on the wire. */
  answers: z.record(z.string().min(1), z.unknown()).optional(),
  /** How the sentry misbehaves: `timeout`, `disconnect`, `malformed`, or `{ error }`. */
  fail: z
    .union(
      [
        z.enum(['timeout', 'disconnect', 'malformed']),
        z.strictObject({
          /** The exception message the sentry raises. */
          error: z.string().min(1),
        }),
      ],
      { error: 'expected "timeout", "disconnect", "malformed" or { "error": "message" }' },
    )
    .optional(),
});

/** A list of sentries whose guids are unique. */
const sentryList = z.array(sentry).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((s, index) => {
    if (seen.has(s.guid)) ctx.addIssue({ code: 'custom', path: [index, 'guid'], message: `duplicate guid '${s.guid}'` });
    seen.add(s.guid);
  });
});

/** A data node of a cluster scenario. */
const dataNode = z.strictObject({
  /** The data node's name; must be unique. */
  name: z.string().min(1, { error: 'expected a non-empty node name' }),
  /** The sentries this node holds. */
  sentries: sentryList.optional(),
  /** Extra milliseconds every call through this node takes. */
  delay_ms: z.number().int().min(0).max(3_600_000).optional(),
  /** `"down"`: every call through this node fails. */
  fail: z.literal('down', { error: 'expected "down"' }).optional(),
});

/**
 * The scenario format (a public contract, documented in the README): users, host config, sentries.
 * Unknown keys are errors, so a typo never silently does nothing.
 */
export const scenarioSchema = z.strictObject({
  /** Users by name. @default { admin: { admin: true } } */
  users: z
    .record(
      z.string().min(1),
      z.strictObject({
        /** Whether the user has administrator privileges. */
        admin: z.boolean(),
      }),
    )
    .optional(),
  /** Host configuration, e.g. `logpresso.core.sentry_rpc_parallel`. */
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** The host's in-memory sentries; guids must be unique. */
  sentries: sentryList.optional(),
  /** Data nodes: the host becomes the control node of a cluster (sonar-sentry-netstat). */
  nodes: z
    .array(dataNode)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((n, index) => {
        if (seen.has(n.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate node '${n.name}'` });
        seen.add(n.name);
      });
    })
    .optional(),
});

/** A scenario as written in its file. */
export type Scenario = z.input<typeof scenarioSchema>;

/** Checks scenario data and turns it into host options; `source` names it in errors. */
export function scenarioHostOptions(data: unknown, source = 'scenario'): MockHostOptions {
  const checked = scenarioSchema.safeParse(data, { reportInput: true });
  if (!checked.success) {
    const [first] = checked.error.issues;
    throw new ScenarioError(`${source}: ${first ? describeIssue(first) : 'invalid scenario'}`);
  }
  const { users, config, sentries, nodes } = checked.data;
  return {
    ...(users && { users }),
    ...(config && { config }),
    ...(sentries && { sentries }),
    ...(nodes && { nodes }),
  };
}

/** Reads and checks a scenario file. */
export async function loadScenarioFile(path: string): Promise<MockHostOptions> {
  return scenarioHostOptions(await readJsonFile(path, 'scenario file', (message) => new ScenarioError(message)), path);
}
