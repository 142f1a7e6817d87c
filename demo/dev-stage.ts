// Who a demo page is, and how it reaches the stage server, for the pages `npm start` serves:
// the page's address names the participant (?room=demo&preset=viewer&name=Ada[&user=ada]);
// /demo/config.json (served by the dev server) names the stage server and its development
// token endpoint, which signs a token for that participant. `?url=&token=` skip both.

export interface DemoParticipant {
  readonly user: string;
  readonly room: string;
  readonly preset: string;
  readonly name: string;
}

const params = new URLSearchParams(location.search);

/** The participant this page's address names; a fresh user id unless `user` is given. */
export function demoParticipant(): DemoParticipant {
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

/** The stage server's address and a token for `who`: from the address, or from the dev server. */
export async function demoCredentials(
  who: DemoParticipant,
): Promise<{ url: string; token: string }> {
  const url = params.get('url');
  const token = params.get('token');
  if (url && token) return { url, token };
  const config = (await (await fetch('/demo/config.json')).json()) as {
    stageUrl: string;
    tokenUrl: string;
  };
  const query = new URLSearchParams({ ...who });
  const response = await fetch(`${config.tokenUrl}?${query}`);
  const body = (await response.json()) as { token?: string; error?: string };
  if (!body.token) throw new Error(body.error ?? `the token endpoint answered ${response.status}`);
  return { url: url ?? config.stageUrl, token: body.token };
}
