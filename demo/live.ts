// One participant of a room on the stage server. The dev server tells where the stage server
// is; its development token endpoint signs a token; the provider connects with it.
import '../components/index.js';
import { demoCredentials, demoParticipant } from './dev-stage.js';

const me = demoParticipant();
const { room, preset, name } = me;

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
  const { url, token } = await demoCredentials(me);
  provider.setAttribute('url', url);
  provider.setAttribute('token', token);
} catch (error) {
  connection.textContent = `Could not reach the stage server (${(error as Error).message}). Start everything with npm start.`;
}
