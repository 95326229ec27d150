import { hashApiKey } from '@tracker/directory';
import { generateApiKey } from './api-key-secret';

describe('generateApiKey', () => {
  it('is trk_ + 32 random bytes, stored only as its hash', () => {
    const key = generateApiKey();
    expect(key.secret).toMatch(/^trk_[A-Za-z0-9_-]{43}$/);
    expect(key.hash).toBe(hashApiKey(key.secret));
    expect(key.prefix).toBe(key.secret.slice(0, 12));
  });

  it('never repeats', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateApiKey().secret));
    expect(secrets.size).toBe(1000);
  });
});
