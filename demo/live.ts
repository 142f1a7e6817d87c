// One participant of a room on the stage server. The dev server tells where the stage server
// is; its development token endpoint signs a token; the provider connects with it.
import '../components/index.js';

interface DemoConfig {
  stageUrl: string;
  tokenUrl: string;
}

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? 'demo';
const preset = params.get('preset') ?? 'viewer';
const name = params.get('name') ?? 'Guest';
const user =
  params.get('user') ??
  `${name.toLowerCase().replace(/\W+/g, '-')}-${crypto.randomUUID().slice(0, 6)}`;

const who = document.getElementById('who')!;
const connection = document.getElementById('connection')!;
const provider = document.getElementById('provider')!;
who.textContent = `${name} (${preset}) in room “${room}”`;
document.title = `${name} · rtk-stage`;

provider.addEventListener('rtk-stage-connected', (event) => {
  connection.textContent = 'Connected.';
  event.detail.connection$.subscribe((state) => (connection.textContent = `Connection: ${state}.`));
});
provider.addEventListener('rtk-stage-error', (event) => {
  connection.textContent = event.detail.message;
});

try {
  const config = (await (await fetch('/demo/config.json')).json()) as DemoConfig;
  const query = new URLSearchParams({ user, room, preset, name });
  const response = await fetch(`${config.tokenUrl}?${query}`);
  const body = (await response.json()) as { token?: string; error?: string };
  if (!body.token) throw new Error(body.error ?? `the token endpoint answered ${response.status}`);
  provider.setAttribute('url', config.stageUrl);
  provider.setAttribute('token', body.token);
} catch (error) {
  connection.textContent = `Could not reach the stage server (${(error as Error).message}). Start everything with npm start.`;
}
