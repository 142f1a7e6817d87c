import * as v from 'valibot';
import { ACTIONS, describe, type ClientFrame, type StageCommandType } from '../model/index.js';

const COMMANDS = Object.keys(ACTIONS) as [StageCommandType, ...StageCommandType[]];

const Hello = v.object({
  t: v.literal('hello'),
  v: v.number(),
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(8192)),
});

const Command = v.object({
  t: v.literal('cmd'),
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  cmd: v.picklist(COMMANDS),
  // The rules engine checks userIds and answers 2009 with a precise message.
  userIds: v.optional(v.unknown()),
});

const Sync = v.object({ t: v.literal('sync') });

const Frame = v.variant('t', [Hello, Command, Sync]);

/** Parses one text frame; returns the frame, or a sentence saying what is wrong with it. */
export function parseFrame(data: string): ClientFrame | string {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return 'the frame is not valid JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return `a frame must be a JSON object, not ${describe(json)}`;
  }
  const result = v.safeParse(Frame, json);
  if (result.success) return result.output as ClientFrame;
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.');
  const t = (json as { t?: unknown }).t;
  // Untrusted values are described, never echoed whole: they may be huge or deeply nested.
  const type = typeof t === 'string' ? JSON.stringify(t.slice(0, 32)) : describe(t);
  if (!path || path === 't') return `unknown frame type ${type}; expected hello, cmd or sync`;
  return `invalid ${path.slice(0, 64)} in a ${type} frame: ${issue.message.slice(0, 200)}`;
}
