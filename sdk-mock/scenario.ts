import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { netstatConnectionSchema } from '../src/commands/netstat-answer.js';
import { describeIssue } from '../src/runtime/zod-issue.js';
import type { MockHostOptions } from './mock-host.js';

/** A scenario file could not be used; the message names the file and the bad path in it. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** Connections are checked like a sentry's answer, but kept as written (they are what the sentry sends). */
const connections = z.array(z.unknown()).superRefine((list, ctx) => {
  list.forEach((connection, index) => {
    const checked = netstatConnectionSchema.safeParse(connection, { reportInput: true });
    if (checked.success) return;
    for (const issue of checked.error.issues) {
      ctx.addIssue({ code: 'custom', path: [index, ...issue.path], message: issue.message, input: 'input' in issue ? issue.input : undefined });
    }
  });
});

const sentry = z.strictObject({
  guid: z.string().min(1, { error: 'expected a non-empty guid' }),
  connected: z.boolean().optional(),
  delay_ms: z.number().int().min(0).max(3_600_000).optional(),
  os: z.string().optional(),
  hostname: z.string().optional(),
  remote_ip: z.ipv4().or(z.ipv6()).optional(),
  connections: connections.optional(),
  fail: z.union([
    z.enum(['timeout', 'disconnect', 'malformed']),
    z.strictObject({ error: z.string().min(1) }),
  ], { error: 'expected "timeout", "disconnect", "malformed" or { "error": "message" }' }).optional(),
});

/**
 * The scenario format (a public contract, documented in the README): users, host config, sentries.
 * Unknown keys are errors, so a typo never silently does nothing.
 */
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
  name: z.string().min(1, { error: 'expected a non-empty node name' }),
  sentries: sentryList.optional(),
  delay_ms: z.number().int().min(0).max(3_600_000).optional(),
  fail: z.literal('down', { error: 'expected "down"' }).optional(),
});

export const scenarioSchema = z.strictObject({
  users: z.record(z.string().min(1), z.strictObject({ admin: z.boolean() })).optional(),
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  sentries: sentryList.optional(),
  /** Data nodes: the host becomes the control node of a cluster (sonar-sentry-netstat). */
  nodes: z.array(dataNode).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((n, index) => {
      if (seen.has(n.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate node '${n.name}'` });
      seen.add(n.name);
    });
  }).optional(),
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`${path}: cannot read the scenario file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return scenarioHostOptions(data, path);
}
