import { expect } from '@open-wc/testing';
import { firstValueFrom } from 'rxjs';
import { StageError, createLocalStage, type StageEvent } from '../../src/index.js';

describe('StageController in the browser realm', () => {
  it('runs the whole request, approve, join, remove flow with events in order', async () => {
    const room = createLocalStage({ maxOnStage: 1 });
    const host = room.connect({ userId: 'h', displayName: 'Hana', preset: 'host' });
    const ada = room.connect({ userId: 'ada', displayName: 'Ada', preset: 'viewer' });
    const seen: string[] = [];
    ada.on('*', (name) => seen.push(name));

    await ada.requestAccess();
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    expect(await firstValueFrom(ada.position$)).to.equal(1);
    const queue = await firstValueFrom(host.requests$);
    expect(queue.map((r) => [r.userId, r.displayName, r.position])).to.deep.equal([
      ['ada', 'Ada', 1],
    ]);

    const result = await host.grantAccess(['ada']);
    expect(result).to.deep.equal({ ok: ['ada'], failed: [] });
    await ada.join();
    expect((await firstValueFrom(host.onStage$)).map((p) => p.userId)).to.deep.equal(['ada']);

    await host.kick(['ada']);
    expect(ada.status).to.equal('OFF_STAGE');
    expect(seen).to.deep.equal([
      'stageStatusUpdate',
      'stageRequestApproved',
      'stageStatusUpdate',
      'stageStatusUpdate',
      'removedFromStage',
      'stageStatusUpdate',
    ]);
    room.close();
  });

  it('rejects with StageError and changes nothing when the stage is full', async () => {
    const room = createLocalStage({ maxOnStage: 1 });
    const host = room.connect({ userId: 'h', preset: 'host' });
    const speaker = room.connect({ userId: 's', preset: 'speaker' });
    await speaker.requestAccess();
    const before = room.snapshot();
    const events: StageEvent[] = [];
    host.events$.subscribe((e) => events.push(e));
    const error = await host.requestAccess().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(StageError);
    expect((error as StageError).code).to.equal('2007');
    expect((error as StageError).message).to.match(/seats are taken/);
    expect(room.snapshot()).to.deep.equal(before);
    expect(events).to.deep.equal([]);
    room.close();
  });
});
