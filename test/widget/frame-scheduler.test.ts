import { expect } from 'chai';
import { FrameScheduler, type FrameTask } from '../../widget/render/frame-scheduler.js';

class RecordingTask implements FrameTask {
  readonly frames: number[] = [];
  constructor(
    public visible = true,
    private readonly costInMs = 0,
  ) {}
  renderFrame(): boolean {
    this.frames.push(document.timeline.currentTime as number);
    const until = performance.now() + this.costInMs;
    while (performance.now() < until);
    return true;
  }
}

const frames = (count: number) =>
  new Promise<void>((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
    step(count);
  });

describe('FrameScheduler', () => {
  it('draws a task at most once per frame however often it is scheduled', async () => {
    const scheduler = new FrameScheduler({ maxTaskShare: 1 });
    const task = new RecordingTask();
    for (let i = 0; i < 20; i += 1) {
      for (let j = 0; j < 10; j += 1) scheduler.schedule(task);
      await frames(1);
    }
    await frames(2);
    expect(task.frames.length).to.be.within(1, 20);
    expect(new Set(task.frames).size).to.equal(task.frames.length);
  });

  it('serves the longest waiting task first when the frame budget runs out', async () => {
    const scheduler = new FrameScheduler({ maxFrameBudgetInMs: 1, maxTaskShare: 1 });
    const tasks = [new RecordingTask(true, 3), new RecordingTask(true, 3), new RecordingTask(true, 3)];
    for (const task of tasks) scheduler.schedule(task);
    await frames(5);
    const firstFrames = tasks.map((task) => task.frames[0]);
    expect(firstFrames[0]).to.be.below(firstFrames[1]);
    expect(firstFrames[1]).to.be.below(firstFrames[2]);
  });

  it('does no work for a hidden task until it is visible again', async () => {
    const scheduler = new FrameScheduler();
    const task = new RecordingTask(false);
    scheduler.schedule(task);
    await frames(5);
    expect(task.frames).to.have.length(0);
    task.visible = true;
    scheduler.schedule(task);
    await frames(3);
    expect(task.frames).to.have.length(1);
  });
});
