// How this page reaches a stage: `?url=ws://…/stage&token=…` connects with that token;
// otherwise, as under `npm start`, /demo/config.json names the stage server and its
// development token endpoint signs a token for `?room=&preset=&name=&user=`.
import { connectStage, type StageController } from 'rtk-stage';

export interface Who {
  readonly room: string;
  readonly preset: string;
  readonly name: string;
  readonly user: string;
}

interface DemoConfig {
  readonly stageUrl: string;
  readonly tokenUrl: string;
}

export function whoFrom(params: URLSearchParams): Who {
  const name = params.get('name') ?? 'Guest';
  return {
    room: params.get('room') ?? 'demo',
    preset: params.get('preset') ?? 'viewer',
    name,
    user:
      params.get('user') ??
      `${name.toLowerCase().replace(/\W+/g, '-')}-${crypto.randomUUID().slice(0, 6)}`,
  };
}

export async function connect(params: URLSearchParams, who: Who): Promise<StageController> {
  const url = params.get('url');
  const token = params.get('token');
  if (url && token) return connectStage({ url, token });

  const response = await fetch(params.get('config') ?? '/demo/config.json');
  if (!response.ok) {
    throw new Error(
      'no stage server was named: open this page with ?url=&token=, or through npm start',
    );
  }
  const config = (await response.json()) as DemoConfig;
  // A function: the client asks for a fresh token on every (re)connect.
  return connectStage({ url: config.stageUrl, token: () => devToken(config.tokenUrl, who) });
}

async function devToken(tokenUrl: string, who: Who): Promise<string> {
  const query = new URLSearchParams({ ...who });
  const response = await fetch(`${tokenUrl}?${query}`);
  const body = (await response.json()) as { token?: string; error?: string };
  if (!body.token) throw new Error(body.error ?? `the token endpoint answered ${response.status}`);
  return body.token;
}
