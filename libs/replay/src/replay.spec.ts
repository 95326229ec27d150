import { describeComparison } from './consistency';
import { ProgressBar } from './progress-bar';
import { oldSchemaOf, replaySchemaOf } from './sql-names';
import { WriteBehind } from './write-behind';

describe('replay building blocks', () => {
  it('names the rebuilt and the rollback schema', () => {
    expect(replaySchemaOf('postback_log')).toBe('postback_log__replay');
    expect(oldSchemaOf('postback_log', new Date('2026-11-24T07:05:09.123Z'))).toBe(
      'postback_log__old_20261124t070509',
    );
  });

  it('keeps at most `limit` writes in flight and reports the first failure', async () => {
    const writes = new WriteBehind(2);
    let running = 0;
    let peak = 0;
    const write = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    };
    for (let i = 0; i < 6; i++) await writes.add(write);
    await writes.drain();
    expect(peak).toBe(2);

    const failing = new WriteBehind(1);
    await failing.add(async () => {
      throw new Error('disk full');
    });
    await expect(failing.drain()).rejects.toThrow('disk full');
    await expect(failing.add(write)).rejects.toThrow('disk full');
  });

  it('prints plain progress lines without a terminal, and nothing for an empty phase', () => {
    const lines: string[] = [];
    const bar = new ProgressBar('replay postback-log', { write: (s) => lines.push(s) > 0 });
    bar.start('catching up', 0);
    bar.finish();
    expect(lines).toEqual([]);
    bar.start('rebuilding', 1000);
    bar.add(500);
    bar.finish();
    expect(lines[0]).toMatch(/^replay postback-log: rebuilding \[░+\]\s+0% 0\/1,000 events/);
    expect(lines.at(-1)).toMatch(/ 50% 500\/1,000 events, [\d,]+ events\/s, ETA \S+\n$/);
  });

  it('summarises a comparison on one line', () => {
    expect(
      describeComparison([
        { table: 'clicks', liveRows: 3, replayRows: 3, equal: true },
        {
          table: 'postbacks',
          liveRows: 5,
          replayRows: 4,
          equal: false,
          onlyLive: 1,
          onlyReplay: 0,
          differing: 1,
          sampleKeys: ['a', 'b'],
        },
      ]),
    ).toBe(
      'clicks 3 rows =; postbacks 5 live / 4 rebuilt ≠ (only live 1, only rebuilt 0, differing 1; e.g. a, b)',
    );
  });
});
