import { SignJWT, errors, jwtVerify } from 'jose';
import { resolvePermissions, type PresetName, type StagePermissions } from '../model/index.js';

/** Who a verified token says the client is. Nothing else about a client is trusted. */
export interface Identity {
  readonly userId: string;
  readonly displayName: string;
  readonly room: string;
  readonly permissions: StagePermissions;
}

/** Claims of an rtk-stage token (a JWT signed HS256 with the server's secret). */
export interface StageTokenClaims {
  /** The user id. */
  readonly sub: string;
  /** The room id. */
  readonly room: string;
  /** Display name; `sub` when absent. */
  readonly name?: string;
  /** A preset name; `perm` wins when both are given; neither means `viewer`. */
  readonly preset?: PresetName;
  readonly perm?: StagePermissions;
}

const MAX_ID = 256;

/** The HMAC key for a secret, imported once (importing it on every hello costs). */
export function secretKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}

/** Verifies a token; returns the identity, or a sentence saying why it is refused. */
export async function verifyToken(
  token: string,
  key: CryptoKey | Uint8Array,
): Promise<Identity | string> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'room', 'exp'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return 'the token has expired';
    if (error instanceof errors.JWTClaimValidationFailed)
      return `the token's ${error.claim} claim is missing or invalid`;
    return "the token is malformed or not signed with this server's secret";
  }
  const { sub, room, name, preset, perm } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_ID)
    return "the token's sub claim must be a user id";
  if (typeof room !== 'string' || room.length === 0 || room.length > MAX_ID)
    return "the token's room claim must be a room id";
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_ID))
    return "the token's name claim must be a string";
  const permissions = resolvePermissions(preset, perm);
  if (typeof permissions === 'string') return `the token is refused: ${permissions}`;
  return { userId: sub, room, displayName: (name as string | undefined) || sub, permissions };
}

/** Signs a token for a user (servers and tools that issue tokens; the dev token endpoint). */
export function signToken(
  claims: StageTokenClaims,
  secret: string,
  expiresIn: string | number = '1h',
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
