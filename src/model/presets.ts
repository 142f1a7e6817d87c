import type { PresetName, StageAccess, StagePermissions } from './types.js';

/** RealtimeKit's preset flags for the built-in roles. */
export const presets: Readonly<Record<PresetName, StagePermissions>> = Object.freeze({
  host: Object.freeze({ stageEnabled: true, stageAccess: 'ALLOWED', acceptStageRequests: true }),
  moderator: Object.freeze({
    stageEnabled: true,
    stageAccess: 'CAN_REQUEST',
    acceptStageRequests: true,
  }),
  speaker: Object.freeze({
    stageEnabled: true,
    stageAccess: 'ALLOWED',
    acceptStageRequests: false,
  }),
  viewer: Object.freeze({
    stageEnabled: true,
    stageAccess: 'CAN_REQUEST',
    acceptStageRequests: false,
  }),
  audience: Object.freeze({
    stageEnabled: true,
    stageAccess: 'NOT_ALLOWED',
    acceptStageRequests: false,
  }),
});

const ACCESS: readonly StageAccess[] = ['ALLOWED', 'CAN_REQUEST', 'NOT_ALLOWED'];

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(presets, value);
}

/** Checks an untrusted permissions object; returns a frozen copy, or a sentence saying what is wrong. */
export function parsePermissions(value: unknown): StagePermissions | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'permissions must be an object { stageEnabled, stageAccess, acceptStageRequests }';
  }
  const p = value as Record<string, unknown>;
  if (typeof p['stageEnabled'] !== 'boolean') return 'permissions.stageEnabled must be a boolean';
  if (!ACCESS.includes(p['stageAccess'] as StageAccess)) {
    return `permissions.stageAccess must be one of ${ACCESS.join(', ')}`;
  }
  if (typeof p['acceptStageRequests'] !== 'boolean') {
    return 'permissions.acceptStageRequests must be a boolean';
  }
  return Object.freeze({
    stageEnabled: p['stageEnabled'],
    stageAccess: p['stageAccess'] as StageAccess,
    acceptStageRequests: p['acceptStageRequests'],
  });
}

/**
 * Resolves who a participant may be from a preset name and/or explicit permissions
 * (explicit permissions win; neither means `viewer`). Returns a sentence on bad input.
 */
export function resolvePermissions(
  preset: unknown,
  permissions: unknown,
): StagePermissions | string {
  if (permissions !== undefined) return parsePermissions(permissions);
  if (preset === undefined) return presets.viewer;
  if (!isPresetName(preset)) {
    return `unknown preset ${JSON.stringify(preset)}; use one of ${Object.keys(presets).join(', ')}`;
  }
  return presets[preset];
}

/** May grant, deny and kick, and sees the queue. */
export function isPrivileged(p: StagePermissions): boolean {
  return p.stageEnabled && p.acceptStageRequests;
}

/** May be ACCEPTED or ON stage at all (by request, self-accept or invite). */
export function mayBeOnStage(p: StagePermissions): boolean {
  return p.stageEnabled && p.stageAccess !== 'NOT_ALLOWED';
}

export function samePermissions(a: StagePermissions, b: StagePermissions): boolean {
  return (
    a.stageEnabled === b.stageEnabled &&
    a.stageAccess === b.stageAccess &&
    a.acceptStageRequests === b.acceptStageRequests
  );
}
