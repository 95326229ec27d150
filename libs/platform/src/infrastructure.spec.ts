import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@tracker/config';
import { startBanner } from './banner';
import { resolveInfrastructure } from './infrastructure';

/** Servers given by env, so nothing is started: only the admin token is resolved here. */
function configIn(dataDir: string, env: Record<string, string> = {}) {
  return loadConfig({
    KAFKA_BROKERS: '127.0.0.1:1',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
    TRACKER_DATA_DIR: dataDir,
    ...env,
  });
}

describe('the admin token of npm start (SPEC section 6)', () => {
  it('given no TRACKER_ADMIN_TOKEN, when started twice, then one token is generated and kept 0600', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'admin-token-'));
    const lines: string[] = [];

    const first = await resolveInfrastructure(configIn(dataDir), (line) => lines.push(line));
    const second = await resolveInfrastructure(configIn(dataDir), (line) => lines.push(line));

    const file = path.join(dataDir, 'admin-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.config.adminToken);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(second.config.adminToken).toBe(first.config.adminToken);
    expect(first.adminToken).toEqual({ source: 'file', file, created: true });
    expect(second.adminToken).toEqual({ source: 'file', file, created: false });
    // The logs say where it is, never what it is.
    expect(lines.join('\n')).toContain(file);
    expect(lines.join('\n')).not.toContain(first.config.adminToken);
  });

  it('given TRACKER_ADMIN_TOKEN, when started, then it is used, not stored and never printed', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'admin-token-'));
    const token = 'given-by-env-0123456789';
    const infrastructure = await resolveInfrastructure(
      configIn(dataDir, { TRACKER_ADMIN_TOKEN: token }),
      () => undefined,
    );

    expect(infrastructure.config.adminToken).toBe(token);
    expect(infrastructure.adminToken).toEqual({ source: 'env' });
    const banner = startBanner('http://localhost:3000', token, infrastructure.adminToken);
    expect(banner).not.toContain(token);
    expect(banner).toContain('http://localhost:3000/docs');
  });

  it('given a generated token, when the banner is printed, then it shows the token and its file', () => {
    const banner = startBanner('http://localhost:3000', 'generated-token-value', {
      source: 'file',
      file: '/data/admin-token',
      created: true,
    });
    expect(banner).toContain('Console      http://localhost:3000/');
    expect(banner).toContain('generated-token-value  (kept in /data/admin-token)');
  });
});
