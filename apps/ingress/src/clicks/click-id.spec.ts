import { CLICK_ID_PATTERN } from '@tracker/contracts';
import { ClickIdGenerator } from './click-id';

describe('ClickIdGenerator', () => {
  it('issues 16 base62 characters matching the contract pattern', () => {
    const id = new ClickIdGenerator().next();
    expect(id).toHaveLength(16);
    expect(id).toMatch(new RegExp(CLICK_ID_PATTERN));
  });

  it('never reissues an id, even with the clock frozen or stepping back', () => {
    const generator = new ClickIdGenerator();
    const seen = new Set<string>();
    const now = Date.now();
    for (let i = 0; i < 20000; i++) seen.add(generator.next(i % 2 === 0 ? now : now - 5000));
    expect(seen.size).toBe(20000);
  });

  it('orders ids of later seconds after earlier ones', () => {
    const generator = new ClickIdGenerator();
    const early = generator.next(Date.UTC(2026, 0, 1));
    const late = generator.next(Date.UTC(2027, 0, 1));
    expect(late > early).toBe(true);
  });
});
