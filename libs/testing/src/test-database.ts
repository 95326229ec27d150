import { randomBytes } from 'node:crypto';
import { createDatabase } from '@tracker/local-infra';

/** A fresh, empty database per suite, on the server global-setup provided. */
export async function createTestDatabase(label = 'suite'): Promise<string> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base)
    throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (global setup)');
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  return createDatabase(base, name);
}
