import type { AnyEvent } from '@tracker/contracts';
import { CoalescedWrites } from './coalesced-writes';

const event = (id: string) => ({ id }) as unknown as AnyEvent;
const ids = (events: ReadonlyArray<AnyEvent | null>) => events.map((e) => e?.id);

describe('CoalescedWrites', () => {
  it('merges the calls of one turn into one write, and calls made meanwhile into the next', async () => {
    const writes: Array<Array<string | undefined>> = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const coalesced = new CoalescedWrites(async (events) => {
      writes.push(ids(events));
      if (writes.length === 1) await first;
    });

    // Given three handler calls in the same turn,
    const a = coalesced.add([event('a1'), event('a2')]);
    const b = coalesced.add([event('b1')]);
    const c = coalesced.add([null]);
    // when two more arrive while their write runs,
    await new Promise((resolve) => setImmediate(resolve));
    const d = coalesced.add([event('d1')]);
    const e = coalesced.add([event('e1')]);
    release();
    await Promise.all([a, b, c, d, e]);

    // then the first three were one write and the other two the next.
    expect(writes).toEqual([
      ['a1', 'a2', 'b1', undefined],
      ['d1', 'e1'],
    ]);
    expect(coalesced.stats).toEqual({ writes: 2, calls: 5 });
  });

  it('fails only the call whose events fail, after writing the others on their own', async () => {
    const written: Array<Array<string | undefined>> = [];
    const coalesced = new CoalescedWrites(async (events) => {
      if (ids(events).includes('poison')) throw new Error('contract bug');
      written.push(ids(events));
    });

    // Given a poison batch merged with two good ones,
    const good = coalesced.add([event('g1')]);
    const poison = coalesced.add([event('poison')]);
    const other = coalesced.add([event('o1')]);

    // then the good ones are committed alone and only the poison call rejects.
    await expect(good).resolves.toBeUndefined();
    await expect(poison).rejects.toThrow('contract bug');
    await expect(other).resolves.toBeUndefined();
    expect(written).toEqual([['g1'], ['o1']]);
  });

  it('rejects a lone call with its own error and keeps working afterwards', async () => {
    let fail = true;
    const coalesced = new CoalescedWrites(async () => {
      if (fail) throw new Error('database down');
    });
    await expect(coalesced.add([event('x')])).rejects.toThrow('database down');
    fail = false;
    await expect(coalesced.add([event('y')])).resolves.toBeUndefined();
  });
});
