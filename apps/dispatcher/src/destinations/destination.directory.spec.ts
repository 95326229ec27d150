import type { KafkaRuntime } from '@tracker/kafka';
import { DestinationDirectory } from './destination.directory';

/** A table whose catch-ups are settled by the test, in the order they were asked for. */
function directoryWithManualTable() {
  const rounds: Array<() => void> = [];
  const table = {
    catchUp: () => new Promise<void>((resolve) => rounds.push(resolve)),
    get: () => undefined,
  };
  const runtime = { createTable: () => table } as unknown as KafkaRuntime;
  return { directory: new DestinationDirectory(runtime), rounds };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('DestinationDirectory.currentAt (every destination acknowledged before a conversion)', () => {
  let now = 1_000;
  beforeEach(() => {
    now = 1_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('given no catch-up yet, when asked, then it waits for a new one', async () => {
    const { directory, rounds } = directoryWithManualTable();
    const asked = directory.currentAt(999);
    expect(rounds).toHaveLength(1);
    expect(await settled(asked)).toBe(false);
    rounds[0]();
    expect(await settled(asked)).toBe(true);
  });

  it('given a catch-up under way that began after the time, when asked, then it shares it', async () => {
    const { directory, rounds } = directoryWithManualTable();
    void directory.currentAt(900); // begins a round at 1000
    now = 1_030;
    const asked = directory.currentAt(990);
    expect(rounds).toHaveLength(1);
    rounds[0]();
    expect(await settled(asked)).toBe(true);
  });

  it('given a catch-up under way that began before the time, when asked, then a new one is awaited', async () => {
    const { directory, rounds } = directoryWithManualTable();
    void directory.currentAt(900); // begins a round at 1000
    now = 1_030;
    const asked = directory.currentAt(1_010);
    expect(rounds).toHaveLength(2);
    rounds[0]();
    expect(await settled(asked)).toBe(false);
    rounds[1]();
    expect(await settled(asked)).toBe(true);
  });

  it('given a finished catch-up that began after the time, when asked, then it answers at once', async () => {
    const { directory, rounds } = directoryWithManualTable();
    const first = directory.currentAt(900);
    rounds[0]();
    await first;
    now = 1_500;
    expect(await settled(directory.currentAt(999))).toBe(true);
    expect(rounds).toHaveLength(1);
    // Covered only up to the round's start: a later conversion needs a later round.
    void directory.currentAt(1_000);
    expect(rounds).toHaveLength(2);
  });
});
