import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { presets, type PresetName, type StageCommand } from '../../src/index.js';
import { SerializableRoom } from '../../src/server/index.js';

const USERS = ['h', 'm', 'a', 'b', 'c', 's', 'x'];
const PRESET: Record<string, PresetName> = {
  h: 'host',
  m: 'moderator',
  a: 'viewer',
  b: 'viewer',
  c: 'viewer',
  s: 'speaker',
  x: 'audience',
};

type Op =
  | { kind: 'attach'; user: string; preset: PresetName }
  | { kind: 'detach'; user: string; all: boolean }
  | { kind: 'apply'; user: string; command: StageCommand }
  | { kind: 'advance' }
  | { kind: 'roundTrip' };

const user = fc.constantFrom(...USERS);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('attach' as const),
    user,
    preset: fc.constantFrom<PresetName>('host', 'moderator', 'speaker', 'viewer', 'audience'),
  }),
  fc.record({ kind: fc.constant('detach' as const), user, all: fc.boolean() }),
  fc.record({
    kind: fc.constant('apply' as const),
    user,
    command: fc.oneof(
      fc.constantFrom<StageCommand>(
        { type: 'requestAccess' },
        { type: 'cancelRequestAccess' },
        { type: 'join' },
        { type: 'leave' },
      ),
      fc.record({
        type: fc.constantFrom('grantAccess' as const, 'denyAccess' as const, 'kick' as const),
        userIds: fc.subarray(USERS, { minLength: 1 }),
      }),
    ),
  }),
  fc.constant({ kind: 'advance' as const }),
  fc.constant({ kind: 'roundTrip' as const }),
);

test('a room restored from toJSON() decides every later step exactly like the original', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), fc.nat(3), (ops, seats) => {
      const options = {
        maxOnStage: seats + 1,
        requestTtlMs: 50,
        acceptedTtlMs: 70,
        reconnectGraceMs: 40,
      };
      const original = new SerializableRoom(options);
      let copy = SerializableRoom.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
      let now = 1000;
      for (const o of ops) {
        now += 7;
        if (o.kind === 'roundTrip') {
          copy = SerializableRoom.fromJSON(JSON.parse(JSON.stringify(copy.toJSON())));
          continue;
        }
        const step = (room: SerializableRoom) => {
          switch (o.kind) {
            case 'attach':
              return room.attach(
                { userId: o.user, displayName: o.user, permissions: presets[PRESET[o.user]!] },
                now,
              );
            case 'detach':
              return room.detach(o.user, now, o.all);
            case 'apply':
              return room.apply(o.user, o.command, now);
            case 'advance':
              return room.advance(now);
          }
        };
        assert.deepEqual(step(copy), step(original));
        assert.deepEqual(copy.snapshot(), original.snapshot());
        assert.deepEqual(copy.requests(), original.requests());
        assert.deepEqual(copy.participants(), original.participants());
        assert.deepEqual(copy.seated(), original.seated());
        assert.equal(copy.nextDeadline(), original.nextDeadline());
      }
    }),
    { numRuns: Number(process.env['FC_RUNS'] ?? 300) },
  );
});

test('an unlimited stage survives JSON (no Infinity on the wire)', () => {
  const room = new SerializableRoom();
  const copy = SerializableRoom.fromJSON(JSON.parse(JSON.stringify(room.toJSON())));
  assert.equal(copy.options.maxOnStage, Infinity);
  assert.equal(copy.seatsLeft, Infinity);
});
