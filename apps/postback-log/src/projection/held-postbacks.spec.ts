import type { AnyEvent } from '@tracker/contracts';
import { HeldPostbacks } from './held-postbacks';

const T0 = Date.parse('2026-12-01T12:00:00.000Z');

/** A PostbackReceived as far as HeldPostbacks looks at it, received `ageMs` before T0. */
const postback = (id: string, ageMs = 0, size = 1000) => ({
  event: {
    type: 'PostbackReceived',
    id,
    payload: { receivedAt: new Date(T0 - ageMs).toISOString() },
  } as unknown as AnyEvent,
  size,
});

const outcome = (postbackId: string) => ({
  event: { type: 'PostbackProcessed', id: `o-${postbackId}`, payload: { postbackId } } as AnyEvent,
});

const ids = (events: ReadonlyArray<AnyEvent | null>) => events.map((event) => event?.id);

/** A HeldPostbacks over a recording write, at a clock the test moves. */
function setUp(
  options: {
    maxHeld?: number;
    maxHeldBytes?: number;
    fail?: (ids: Array<string | undefined>) => boolean;
  } = {},
) {
  const clock = { now: T0 };
  const writes: Array<Array<string | undefined>> = [];
  const held = new HeldPostbacks(
    async (events) => {
      const written = ids(events);
      if (options.fail?.(written)) throw new Error('database down');
      writes.push(written);
    },
    {
      holdMs: 1000,
      maxHeld: options.maxHeld ?? 100,
      maxHeldBytes: options.maxHeldBytes ?? 1_000_000,
      now: () => clock.now,
    },
  );
  return { clock, writes, held };
}

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('HeldPostbacks', () => {
  it('holds a fresh postback until its outcome comes, then writes the two together, once', async () => {
    const { writes, held } = setUp();

    // Given a fresh postback without its outcome,
    const deferred = await held.handle([postback('p1')]);

    // then nothing is written yet and its offset waits;
    expect(writes).toEqual([]);
    expect(deferred).toBeDefined();
    expect(await settled(deferred!.written)).toBe('pending');

    // when its outcome arrives in a later call,
    await expect(held.handle([outcome('p1')])).resolves.toBeUndefined();

    // then one write carries both, and the postback's offset may be committed.
    expect(writes).toEqual([['o-p1', 'p1']]);
    expect(await settled(deferred!.written)).toBe('resolved');
    expect(held.stats).toEqual({ joined: 1, alone: 0 });
    expect(held.size).toBe(0);
  });

  it('writes at once a postback with its outcome in the same call, an old one, and one whose outcome came first', async () => {
    const { writes, held } = setUp();
    await held.handle([outcome('early')]);

    const deferred = await held.handle([
      postback('with-outcome'),
      outcome('with-outcome'),
      postback('old', 1000),
      postback('early'),
    ]);

    expect(deferred).toBeUndefined();
    expect(writes).toEqual([['o-early'], ['with-outcome', 'o-with-outcome', 'old', 'early']]);
    expect(held.size).toBe(0);
  });

  it('writes a held postback alone at its deadline', async () => {
    const { clock, writes, held } = setUp();
    const deferred = await held.handle([postback('p1', 200), postback('p2')]);

    // Given 800 ms later: p1 (received 200 ms earlier) is due, p2 is not;
    clock.now = T0 + 800;
    await held.flush();
    expect(writes).toEqual([['p1']]);
    expect(await settled(deferred!.written)).toBe('pending');

    // when p2's second has passed too, then it is written and the call's offsets may go.
    clock.now = T0 + 1000;
    await held.flush();
    expect(writes).toEqual([['p1'], ['p2']]);
    expect(await settled(deferred!.written)).toBe('resolved');
    expect(held.stats).toEqual({ joined: 0, alone: 2 });
  });

  it('fails the deferred write when writing a due postback fails', async () => {
    const { clock, held } = setUp({ fail: () => true });
    const deferred = await held.handle([postback('p1')]);
    clock.now = T0 + 1000;
    await held.flush();
    await expect(deferred!.written).rejects.toThrow('database down');
    expect(held.size).toBe(0);
  });

  it('holds a claimed postback again when the write with its outcome fails', async () => {
    let fail = true;
    const { writes, held } = setUp({ fail: () => fail });
    const deferred = await held.handle([postback('p1')]);

    // Given the outcome's call fails,
    await expect(held.handle([outcome('p1')])).rejects.toThrow('database down');
    // then the postback waits again,
    expect(held.size).toBe(1);
    expect(await settled(deferred!.written)).toBe('pending');

    // and the consumer's retry of that call writes both.
    fail = false;
    await held.handle([outcome('p1')]);
    expect(writes).toEqual([['o-p1', 'p1']]);
    expect(await settled(deferred!.written)).toBe('resolved');
  });

  it('writes at once beyond maxHeld, and keeps one entry for a postback read twice', async () => {
    const { writes, held } = setUp({ maxHeld: 2 });
    const first = await held.handle([postback('p1'), postback('p2'), postback('p3')]);
    expect(writes).toEqual([['p3']]);
    expect(held.size).toBe(2);

    // Read again (a restart before the commit): the same entry, not a third one.
    const again = await held.handle([postback('p1')]);
    expect(held.size).toBe(2);
    await held.handle([outcome('p1'), outcome('p2')]);
    expect(await settled(first!.written)).toBe('resolved');
    expect(await settled(again!.written)).toBe('resolved');
  });

  it('writes at once what would hold more bytes than maxHeldBytes', async () => {
    const { writes, held } = setUp({ maxHeldBytes: 5000 });
    await held.handle([postback('small', 0, 3000), postback('large', 0, 3000)]);
    expect(writes).toEqual([['large']]);
    expect(held.size).toBe(1);
    // Room comes back when a held one is written.
    await held.handle([outcome('small')]);
    await held.handle([postback('next', 0, 3000)]);
    expect(held.size).toBe(1);
  });

  it('stops holding for three holds when most held postbacks waited in vain, then holds again', async () => {
    const { clock, writes, held } = setUp();
    // Given a hold in which one postback met its outcome and two did not (attribution away),
    await held.handle([postback('met'), postback('vain1'), postback('vain2')]);
    await held.handle([outcome('met')]);
    clock.now = T0 + 1000;
    await held.flush();
    expect(held.holding).toBe(false);

    // then fresh postbacks are written at once for the next 3 s,
    clock.now = T0 + 3900;
    await expect(held.handle([postback('fresh', -3900)])).resolves.toBeUndefined();
    expect(writes.at(-1)).toEqual(['fresh']);

    // and held again after that.
    clock.now = T0 + 4000;
    expect(held.holding).toBe(true);
    await expect(held.handle([postback('later', -4000)])).resolves.toBeDefined();
  });

  it('lets a postback held again while its claim was being written stand for both', async () => {
    let gate!: () => void;
    let fail = false;
    const clock = { now: T0 };
    const writes: Array<Array<string | undefined>> = [];
    const held = new HeldPostbacks(
      async (events) => {
        if (ids(events).includes('o-p1') && !gate) {
          await new Promise<void>((resolve) => (gate = resolve));
          if (fail) throw new Error('database down');
        }
        writes.push(ids(events));
      },
      { holdMs: 1000, maxHeld: 100, maxHeldBytes: 1_000_000, now: () => clock.now },
    );
    const first = await held.handle([postback('p1')]);
    // Given the outcome's call claimed p1 and is writing, and p1 is read and held again meanwhile,
    const claiming = held.handle([outcome('p1')]);
    await new Promise((resolve) => setImmediate(resolve));
    const second = await held.handle([postback('p1')]);
    // when the claim's write fails,
    fail = true;
    gate();
    await expect(claiming).rejects.toThrow('database down');
    expect(held.size).toBe(1);

    // then the next outcome writes p1 once, and both waits end.
    await held.handle([outcome('p1')]);
    expect(writes).toEqual([['o-p1', 'p1']]);
    expect(await settled(first!.written)).toBe('resolved');
    expect(await settled(second!.written)).toBe('resolved');
  });

  it('holds a postback from a clock ahead of its own no longer than holdMs', async () => {
    const { clock, writes, held } = setUp();
    await held.handle([postback('ahead', -10_000)]);
    clock.now = T0 + 1000;
    await held.flush();
    expect(writes).toEqual([['ahead']]);
  });

  it('writes at once what a call meant to hold when the log closed while it wrote', async () => {
    let gate!: () => void;
    const writes: Array<Array<string | undefined>> = [];
    const held = new HeldPostbacks(
      async (events) => {
        if (ids(events).includes('o-x')) await new Promise<void>((resolve) => (gate = resolve));
        writes.push(ids(events));
      },
      { holdMs: 1000, maxHeld: 100, maxHeldBytes: 1_000_000, now: () => T0 },
    );
    const call = held.handle([outcome('x'), postback('p1')]);
    await new Promise((resolve) => setImmediate(resolve));
    await held.close();
    gate();
    await expect(call).resolves.toBeUndefined();
    expect(writes).toEqual([['o-x'], ['p1']]);
    expect(held.size).toBe(0);
  });

  it('writes everything held on close, and holds nothing afterwards', async () => {
    const { writes, held } = setUp();
    const deferred = await held.handle([postback('p1'), postback('p2')]);

    await held.close();

    expect(writes).toEqual([['p1', 'p2']]);
    expect(await settled(deferred!.written)).toBe('resolved');
    await expect(held.handle([postback('p3')])).resolves.toBeUndefined();
    expect(writes).toEqual([['p1', 'p2'], ['p3']]);
  });
});
