/**
 * Every text the elements show, in English by default. Pass a partial object as an element's
 * `strings` property to override any of them. `{name}` is a participant's display name,
 * `{n}` a number, `{time}` a duration.
 */
export interface StageStrings {
  notConnected: string;
  requestToJoin: string;
  joinStage: string;
  cancelRequest: string;
  positionInLine: string;
  decline: string;
  leaveStage: string;
  statusOff: string;
  statusRequested: string;
  statusAccepted: string;
  statusOn: string;
  queueLabel: string;
  queueCount: string;
  queueEmpty: string;
  queuePosition: string;
  waiting: string;
  approve: string;
  deny: string;
  approveAll: string;
  denyAll: string;
  bulkFailed: string;
  listLabel: string;
  listEmpty: string;
  onStage: string;
  acceptedNotJoined: string;
  remove: string;
  askedToJoin: string;
  approvedJoinNow: string;
  invitedJoinNow: string;
  joinNow: string;
  requestDeclined: string;
  removedFromStage: string;
  requestExpired: string;
  dismiss: string;
  notificationsLabel: string;
  secondsShort: string;
  minutesShort: string;
  hoursShort: string;
}

export const defaultStrings: Readonly<StageStrings> = Object.freeze({
  notConnected: 'Not connected to a stage',
  requestToJoin: 'Request to join stage',
  joinStage: 'Join stage',
  cancelRequest: 'Cancel request',
  positionInLine: 'You are #{n} in line',
  decline: 'Decline',
  leaveStage: 'Leave stage',
  statusOff: 'You are off stage',
  statusRequested: 'You asked to join the stage',
  statusAccepted: 'You were accepted: join the stage when ready',
  statusOn: 'You are on stage',
  queueLabel: 'Requests to join the stage',
  queueCount: '{n} waiting',
  queueEmpty: 'No requests',
  queuePosition: '#{n}',
  waiting: 'waiting {time}',
  approve: 'Approve {name}',
  deny: 'Deny {name}',
  approveAll: 'Approve all',
  denyAll: 'Deny all',
  bulkFailed: '{n} could not be changed: {reason}',
  listLabel: 'On stage',
  listEmpty: 'Nobody is on stage',
  onStage: 'on stage',
  acceptedNotJoined: 'accepted, not joined yet',
  remove: 'Remove {name} from stage',
  askedToJoin: '{name} asked to join the stage',
  approvedJoinNow: 'Your request was approved',
  invitedJoinNow: 'You were invited to join the stage',
  joinNow: 'Join now',
  requestDeclined: 'Your request to join the stage was declined',
  removedFromStage: 'You were removed from the stage',
  requestExpired: 'Your request to join the stage expired',
  dismiss: 'Dismiss',
  notificationsLabel: 'Stage notifications',
  secondsShort: '{n}s',
  minutesShort: '{n}m',
  hoursShort: '{n}h',
});

/** Fills `{key}` placeholders. */
export function format(text: string, values: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}

/** "42s", "3m", "2h": how long since `since`, in the units `text` gives. */
export function formatWaiting(
  text: (key: 'secondsShort' | 'minutesShort' | 'hoursShort') => string,
  since: number,
  now: number,
): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 60) return format(text('secondsShort'), { n: s });
  if (s < 3600) return format(text('minutesShort'), { n: Math.floor(s / 60) });
  return format(text('hoursShort'), { n: Math.floor(s / 3600) });
}
