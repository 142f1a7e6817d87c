// Types of scripts/demo-plugins.mjs, for the end-to-end tests written in TypeScript.
import type { Plugin } from '@web/dev-server-core';

export interface DemoParticipant {
  readonly room: string;
  readonly preset: 'host' | 'moderator' | 'speaker' | 'viewer' | 'audience';
  readonly name: string;
  readonly user: string;
}

export interface DevTokenClaims {
  readonly sub: string;
  readonly room: string;
  readonly name: string;
  readonly preset: DemoParticipant['preset'];
}

export function configPlugin(options: { stageUrl: string; tokenUrl: string }): Plugin;

export function participantFromQuery(searchParams: URLSearchParams): DemoParticipant;

export function plainPagePlugin(options: {
  stageUrl: string;
  mintToken: (claims: DevTokenClaims) => Promise<string>;
}): Plugin;
