/**
 * Reading an inbound text frame: JSON, then a schema. Never throws, so a hostile frame cannot reach a handler.
 *
 * @module
 */
import type { z } from 'zod';
import { describeIssue } from '../runtime/zod-issue.js';

/** The result of reading one frame: the data, or why it was refused. */
export type FrameResult<T> = { ok: true; frame: T } | { ok: false; error: string };

/** A frame as it comes off a socket: text, or the raw bytes `ws` hands over. */
export type FrameData = string | Buffer | ArrayBuffer | Buffer[];

/** A frame's text (raw bytes decoded as UTF-8). */
export function frameText(data: FrameData): string {
  if (typeof data === 'string') return data;
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Parses a frame's JSON; never throws. */
export function parseFrameJson(data: FrameData): FrameResult<unknown> {
  try {
    return { ok: true, frame: JSON.parse(frameText(data)) as unknown };
  } catch {
    return { ok: false, error: 'frame is not JSON' };
  }
}

/** Checks parsed JSON against `schema`, saying where it breaks. */
export function checkFrame<T>(schema: z.ZodType<T>, json: unknown): FrameResult<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const [first] = parsed.error.issues;
  return { ok: false, error: `frame breaks the protocol${first ? `: ${describeIssue(first)}` : ''}` };
}

/** Decodes a text frame as JSON and checks it against `schema`; never throws. */
export function readFrame<T>(schema: z.ZodType<T>, data: FrameData): FrameResult<T> {
  const json = parseFrameJson(data);
  return json.ok ? checkFrame(schema, json.frame) : json;
}
