// A local room with a host and two viewers side by side. Each panel is an
// <rtk-stage-provider> holding that participant's controller; the elements inside it need no
// script of their own.
import { html, render } from 'lit';
import '../components/index.js';
import { createLocalStage, type PresetName, type StageController } from '../src/index.js';

const room = createLocalStage({ maxOnStage: 3, requestTtlMs: 120_000 });

const people: { userId: string; displayName: string; preset: PresetName; role: string }[] = [
  { userId: 'host', displayName: 'Hana', preset: 'host', role: 'Host' },
  { userId: 'ada', displayName: 'Ada', preset: 'viewer', role: 'Viewer' },
  { userId: 'bo', displayName: 'Bo', preset: 'viewer', role: 'Viewer' },
];

function panel(stage: StageController, role: string) {
  const id = `panel-${stage.userId}`;
  const privileged = stage.permissions.acceptStageRequests;
  return html`<section class="panel" aria-labelledby=${id}>
    <rtk-stage-provider .stage=${stage}>
      <header class="panel-head">
        <span class="avatar" aria-hidden="true">${stage.displayName.slice(0, 1)}</span>
        <h2 id=${id}>${stage.displayName}</h2>
        <span class="badge">${role}</span>
      </header>
      <rtk-stage-status></rtk-stage-status>
      <rtk-stage-controls></rtk-stage-controls>
      <rtk-stage-notifications></rtk-stage-notifications>
      ${
        privileged
          ? html`<h3>Requests</h3>
              <rtk-stage-queue></rtk-stage-queue>`
          : null
      }
      <h3>On stage</h3>
      <rtk-stage-list></rtk-stage-list>
    </rtk-stage-provider>
  </section>`;
}

const controllers = people.map((person) => {
  const stage = room.connect(person);
  stage.on('*', (name, payload) => console.debug(`[${stage.userId}] ${name}`, payload));
  return { stage, role: person.role };
});

render(
  controllers.map(({ stage, role }) => panel(stage, role)),
  document.getElementById('panels')!,
);
