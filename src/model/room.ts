import { parseUserIds } from './args.js';
import {
  ChangeBuilder,
  NO_CHANGE,
  done,
  fail,
  refused,
  type CommandOutcome,
  type RoomChange,
} from './change.js';
import { ACTIONS } from './errors.js';
import { full, notAllowed, refuseTarget, wrongStatus } from './messages.js';
import { resolveOptions, type Resolved } from './options.js';
import { isPrivileged, mayBeOnStage, samePermissions } from './presets.js';
import { RoomState, createMember, isSeated, type Member } from './state.js';
import type {
  BulkCommandType,
  MemberInput,
  RoomSnapshot,
  RoomOptions,
  SelfView,
  StageBulkResult,
  StageCommand,
  StageCommandType,
  StageParticipant,
  StageRequest,
  StageStatus,
} from './types.js';

/**
 * The rules engine: decides every stage command for one room, deterministically, with the
 * clock passed in. It performs no I/O and starts no timer: an authority calls `advance(now)`
 * at `nextDeadline()`. Each step returns the RoomChange it caused, or NO_CHANGE.
 */
export class StageRoom {
  readonly options: Readonly<Resolved>;
  // Protected for SerializableRoom (room-data.ts), which saves and restores them.
  protected state = new RoomState();
  protected clock = -Infinity;
  protected versionNumber = 0;

  constructor(options: RoomOptions = {}) {
    this.options = Object.freeze(resolveOptions(options));
  }

  get version(): number {
    return this.versionNumber;
  }

  /** ACCEPTED + ON_STAGE users may never exceed `maxOnStage`. */
  get seatsLeft(): number {
    return this.options.maxOnStage - this.state.accepted.size - this.state.onStage.size;
  }

  /** A connection of this user opened. The newest connection's name and permissions win. */
  attach(input: MemberInput, now: number): RoomChange {
    now = this.tick(now);
    const change = new ChangeBuilder();
    const s = this.state;
    let m = s.members.get(input.userId);
    if (!m) {
      m = createMember({
        userId: input.userId,
        displayName: input.displayName,
        permissions: input.permissions,
        status: 'OFF_STAGE',
        connections: 0,
        since: 0,
        requestedAt: 0,
        acceptedAt: 0,
        graceDeadline: 0,
      });
      s.members.set(m.userId, m);
    }
    m.connections++;
    if (s.grace.delete(m.userId)) m.graceDeadline = 0;
    const renamed = m.displayName !== input.displayName;
    const repermitted = !samePermissions(m.permissions, input.permissions);
    m.displayName = input.displayName;
    m.permissions = input.permissions;
    if (isPrivileged(m.permissions)) s.privileged.add(m.userId);
    else s.privileged.delete(m.userId);
    if (!renamed && !repermitted) return NO_CHANGE;
    if (m.status !== 'OFF_STAGE' && !mayBeOnStage(m.permissions)) {
      this.sendOff(m, now, change);
    } else {
      s.refresh(m, change);
      if (renamed && m.status !== 'OFF_STAGE') {
        change.participantsChanged = true;
        change.queueChanged ||= m.status === 'REQUESTED_TO_JOIN_STAGE';
        change.onStageChanged ||= m.status === 'ON_STAGE';
        change.seatedChanged ||= isSeated(m.status);
      }
    }
    return this.finish(change);
  }

  /** A connection of this user closed (`all`: every one did). The last one starts the grace. */
  detach(userId: string, now: number, all = false): RoomChange {
    now = this.tick(now);
    const m = this.state.members.get(userId);
    if (!m || m.connections === 0) return NO_CHANGE;
    m.connections = all ? 0 : m.connections - 1;
    if (m.connections > 0) return NO_CHANGE;
    m.graceDeadline = now + this.options.reconnectGraceMs;
    this.state.grace.set(userId, m);
    return this.options.reconnectGraceMs === 0 ? this.advance(now) : NO_CHANGE;
  }

  /** Applies every time-based rule that is due at `now`: request TTL, accepted TTL, grace. */
  advance(now: number): RoomChange {
    now = this.tick(now);
    const due = this.nextDeadline();
    if (due === undefined || due > now) return NO_CHANGE;
    const s = this.state;
    const o = this.options;
    const change = new ChangeBuilder();
    if (o.requestTtlMs > 0) {
      for (const m of s.queue) {
        if (m.requestedAt + o.requestTtlMs > now) break;
        change.notices.push({
          userId: m.userId,
          event: { type: 'stageRequestExpired', requestedAt: m.requestedAt },
        });
        s.setStatus(m, 'OFF_STAGE', now, change);
      }
    }
    if (o.acceptedTtlMs > 0) {
      for (const m of s.accepted.values()) {
        if (m.acceptedAt + o.acceptedTtlMs > now) break;
        this.sendOff(m, now, change);
      }
    }
    for (const m of s.grace.values()) {
      if (m.graceDeadline > now) break;
      s.grace.delete(m.userId);
      this.sendOff(m, now, change);
      s.members.delete(m.userId);
      s.privileged.delete(m.userId);
      change.self.delete(m.userId);
      change.removed.push(m.userId);
    }
    return this.finish(change);
  }

  /** When `advance` next has something to do, or undefined when nothing is pending. */
  nextDeadline(): number | undefined {
    const s = this.state;
    const o = this.options;
    const request = o.requestTtlMs > 0 ? s.queue[0] : undefined;
    const accepted = o.acceptedTtlMs > 0 ? first(s.accepted) : undefined;
    const grace = first(s.grace);
    const next = Math.min(
      request ? request.requestedAt + o.requestTtlMs : Infinity,
      accepted ? accepted.acceptedAt + o.acceptedTtlMs : Infinity,
      grace ? grace.graceDeadline : Infinity,
    );
    return next === Infinity ? undefined : next;
  }

  /** Decides and applies one command of `actorId`. A failure changes nothing. */
  apply(actorId: string, command: StageCommand, now: number): CommandOutcome {
    now = this.tick(now);
    const type = command.type;
    const action = ACTIONS[type];
    if (action === undefined) {
      return fail('2009', `Unknown stage command ${JSON.stringify(type)}.`);
    }
    const actor = this.state.members.get(actorId);
    if (!actor || actor.connections === 0) {
      return fail(
        '2005',
        `Could not ${action}: you are not connected to this stage. Connect again, then retry.`,
      );
    }
    if (!actor.permissions.stageEnabled) {
      return fail(
        '2003',
        `Could not ${action}: the stage is turned off for your role. Ask the organiser for a role with stage access.`,
      );
    }
    if (
      command.type === 'grantAccess' ||
      command.type === 'denyAccess' ||
      command.type === 'kick'
    ) {
      return this.bulk(actor, command.type, action, command.userIds, now);
    }
    return this.selfMove(actor, command.type, action, now);
  }

  /** requestAccess, cancelRequestAccess, join and leave: the actor moves itself. */
  private selfMove(
    actor: Member,
    type: Exclude<StageCommandType, BulkCommandType>,
    action: string,
    now: number,
  ): CommandOutcome {
    if ((type === 'requestAccess' || type === 'join') && !mayBeOnStage(actor.permissions)) {
      return refused(notAllowed(action));
    }
    if (!SELF_MOVES_FROM[type].includes(actor.status)) {
      return refused(wrongStatus(action, actor.status, actor.queueIndex + 1));
    }
    const s = this.state;
    const change = new ChangeBuilder();
    switch (type) {
      case 'requestAccess':
        if (actor.permissions.stageAccess === 'ALLOWED') {
          if (this.seatsLeft <= 0) return fail('2007', full(action, this.options.maxOnStage));
          s.setStatus(actor, 'ACCEPTED_TO_JOIN_STAGE', now, change);
        } else {
          s.setStatus(actor, 'REQUESTED_TO_JOIN_STAGE', now, change);
          // The request is this step's only change, so the queue holds no stale entries yet.
          change.privilegedEvents.push({
            type: 'newStageRequest',
            count: s.queue.length,
            request: s.requestOf(actor),
          });
        }
        break;
      case 'join':
        s.setStatus(actor, 'ON_STAGE', now, change);
        break;
      case 'leave':
      case 'cancelRequestAccess':
        this.sendOff(actor, now, change);
    }
    return done(undefined, this.finish(change));
  }

  private bulk(
    actor: Member,
    type: BulkCommandType,
    action: string,
    userIds: unknown,
    now: number,
  ): CommandOutcome {
    if (!isPrivileged(actor.permissions)) {
      return fail(
        '2001',
        `Could not ${action}: only hosts and moderators may do that. Ask a host to do it for you.`,
      );
    }
    let ids: string[] | string;
    try {
      ids = parseUserIds(userIds);
    } catch {
      ids = 'userIds could not be read; pass a plain array of user id strings';
    }
    if (typeof ids === 'string') return fail('2009', `Could not ${action}: ${ids}.`);
    const s = this.state;
    const change = new ChangeBuilder();
    const result: StageBulkResult = { ok: [], failed: [] };
    const by = actor.userId;
    for (const id of ids) {
      const m = s.members.get(id);
      if (!m) {
        result.failed.push({
          userId: id,
          code: '2009',
          message: `Could not ${action} for ${JSON.stringify(id)}: no such participant is in this room. Check the id; users who left and did not come back within the grace are gone.`,
        });
        continue;
      }
      const why = refuseTarget(type, m, this.seatsLeft, this.options.maxOnStage);
      if (why) {
        result.failed.push({
          userId: id,
          code: why.code,
          message: `Could not ${action} for ${m.displayName}: ${why.message}`,
        });
        continue;
      }
      if (type === 'grantAccess') {
        const invited = m.status === 'OFF_STAGE';
        change.notices.push({ userId: id, event: { type: 'stageRequestApproved', by, invited } });
        s.setStatus(m, 'ACCEPTED_TO_JOIN_STAGE', now, change);
      } else {
        const event =
          type === 'kick'
            ? ({ type: 'removedFromStage', by } as const)
            : ({ type: 'stageRequestRejected', by } as const);
        change.notices.push({ userId: id, event });
        s.setStatus(m, 'OFF_STAGE', now, change);
      }
      result.ok.push(id);
    }
    if (type === 'grantAccess' && result.ok.length > 0) {
      change.privilegedEvents.push({ type: 'acceptPresentRequests', userIds: [...result.ok], by });
    }
    return done(result, this.finish(change));
  }

  /**
   * A user returns to OFF_STAGE without a host's doing: it left, its time ran out, or its role
   * no longer allows the stage. One who was ACCEPTED declined: privileged users are told.
   */
  private sendOff(m: Member, now: number, change: ChangeBuilder): void {
    if (m.status === 'ACCEPTED_TO_JOIN_STAGE') {
      change.privilegedEvents.push({ type: 'stageAccessDeclined', userId: m.userId });
    }
    this.state.setStatus(m, 'OFF_STAGE', now, change);
  }

  private tick(now: number): number {
    if (now > this.clock) this.clock = now;
    return this.clock;
  }

  private finish(change: ChangeBuilder): RoomChange {
    this.state.compact(change);
    if (change.empty) return NO_CHANGE;
    this.state.invalidate(change);
    return change.build(++this.versionNumber);
  }

  // ---- What participants may see ------------------------------------------------------------

  has(userId: string): boolean {
    return this.state.members.has(userId);
  }

  selfView(userId: string): SelfView | undefined {
    return this.state.members.get(userId)?.self;
  }

  /** A user's order key: grows each time a user leaves OFF_STAGE (lists are sorted by it). */
  since(userId: string): number {
    return this.state.members.get(userId)?.since ?? 0;
  }

  /** When a REQUESTED user's request was made (authority clock), else 0. */
  requestedAt(userId: string): number {
    const m = this.state.members.get(userId);
    return m && m.status === 'REQUESTED_TO_JOIN_STAGE' ? m.requestedAt : 0;
  }

  /** A user's 1-based place in the queue while REQUESTED, else null. */
  position(userId: string): number | null {
    const m = this.state.members.get(userId);
    return m && m.status === 'REQUESTED_TO_JOIN_STAGE' ? m.queueIndex + 1 : null;
  }

  status(userId: string): StageStatus | undefined {
    return this.state.members.get(userId)?.status;
  }

  isPrivileged(userId: string): boolean {
    return this.state.privileged.has(userId);
  }

  /** Users who may grant, deny and kick (connected or within their grace). */
  privilegedUsers(): ReadonlySet<string> {
    return this.state.privileged;
  }

  /** The pending requests in queue order; built once per change of the queue. */
  requests(): readonly StageRequest[] {
    return this.state.requestList.get();
  }

  /** ON_STAGE users in the order they joined. */
  onStage(): readonly StageParticipant[] {
    return this.state.onStageList.get();
  }

  /** Every user not OFF_STAGE, in the order they left it (the privileged view). */
  participants(): readonly StageParticipant[] {
    return this.state.activeList.get();
  }

  /** ACCEPTED and ON_STAGE users, in the order they left OFF_STAGE. */
  seated(): readonly StageParticipant[] {
    return this.state.seatedList.get();
  }

  /** `participants$` as this user may see it (contract 9.7). */
  participantsFor(userId: string): readonly StageParticipant[] {
    const s = this.state;
    if (s.privileged.has(userId)) return s.activeList.get();
    const seated = s.seatedList.get();
    const m = s.members.get(userId);
    if (!m || m.status !== 'REQUESTED_TO_JOIN_STAGE') return seated;
    const at = s.seatedIndex(m.since);
    return Object.freeze([...seated.slice(0, at), m.participant, ...seated.slice(at)]);
  }

  snapshot(): RoomSnapshot {
    const users = Array.from(this.state.members.values(), (m) => ({
      userId: m.userId,
      displayName: m.displayName,
      status: m.status,
      connections: m.connections,
      permissions: m.permissions,
      ...(m.status === 'REQUESTED_TO_JOIN_STAGE' ? { requestedAt: m.requestedAt } : {}),
    }));
    return {
      version: this.versionNumber,
      users,
      queue: this.requests().map((r) => r.userId),
      onStage: this.onStage().map((p) => p.userId),
    };
  }
}

/** The statuses each self command starts from; any other is refused (2006). */
const SELF_MOVES_FROM: Record<
  Exclude<StageCommandType, BulkCommandType>,
  readonly StageStatus[]
> = {
  requestAccess: ['OFF_STAGE'],
  cancelRequestAccess: ['REQUESTED_TO_JOIN_STAGE'],
  join: ['ACCEPTED_TO_JOIN_STAGE'],
  leave: ['ON_STAGE', 'ACCEPTED_TO_JOIN_STAGE'],
};

function first<V>(map: Map<string, V>): V | undefined {
  for (const v of map.values()) return v;
  return undefined;
}
