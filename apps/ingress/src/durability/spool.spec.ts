import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Spool, SpoolFullError, SpoolRecord } from './spool';

const record = (n: number): SpoolRecord => ({
  id: `id-${n}`,
  topic: 'tracker.postbacks.v1',
  key: `key-${n}`,
  value: JSON.stringify({ n }),
  headers: { type: 'PostbackReceived', version: '1' },
});

describe('Spool', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spool-spec-'));
  });

  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  async function readAll(spool: Spool): Promise<number[]> {
    const seen: number[] = [];
    for (;;) {
      const entries = await spool.read(7);
      if (!entries || entries.length === 0) return seen;
      for (const entry of entries) seen.push(JSON.parse(entry.record.value).n);
      await spool.acknowledge(entries[entries.length - 1].cursor);
    }
  }

  it('returns appended records in order across segments and deletes drained segments', async () => {
    const spool = new Spool(dir, 1024 * 1024, 512);
    await spool.open();
    await Promise.all(Array.from({ length: 50 }, (_, n) => spool.append(record(n))));
    expect(spool.isEmpty).toBe(false);
    expect(await readAll(spool)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(spool.isEmpty).toBe(true);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.seg'))).toEqual([]);
    await spool.close();
  });

  it('refuses appends past its byte budget', async () => {
    const spool = new Spool(dir, 1024);
    await spool.open();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) => spool.append(record(n))),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(SpoolFullError);
    await spool.close();
  });

  it('after a restart resumes after the acknowledged records and drops a torn tail', async () => {
    const first = new Spool(dir, 1024 * 1024);
    await first.open();
    for (let n = 0; n < 10; n++) await first.append(record(n));
    const entries = (await first.read(4))!;
    await first.acknowledge(entries[3].cursor);
    await first.close();
    const [segment] = (await fs.readdir(dir)).filter((f) => f.endsWith('.seg'));
    await fs.appendFile(path.join(dir, segment), Buffer.from([0, 0, 0, 99, 1, 2, 3])); // torn write

    const second = new Spool(dir, 1024 * 1024);
    await second.open();
    expect(await readAll(second)).toEqual([4, 5, 6, 7, 8, 9]);
    await second.append(record(10));
    expect(await readAll(second)).toEqual([10]);
    await second.close();
  });
});
