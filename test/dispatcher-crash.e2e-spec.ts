/**
 * Two dispatcher processes share the work; one is killed with SIGKILL in the middle of a burst.
 * Every conversion must still be delivered (the dead one's leased deliveries are sent again by
 * the survivor), always under the one Idempotency-Key of its conversion × destination.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSeedProducer,
  createTestDatabase,
  eventually,
  HttpReceiver,
  seedAccount,
} from '@tracker/testing';
import { publishConversion, publishDestination } from '../apps/dispatcher/test/dispatcher-test-kit';
import { AppProcess } from './support/app-process';

const BURST = 300;

describe('dispatcher killed with SIGKILL during a burst', () => {
  const processes: AppProcess[] = [];
  let receiver: HttpReceiver;

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver?.stop();
    await closeSeedProducer();
  });

  it('delivers every conversion, each under one key, after a replica dies mid-send', async () => {
    receiver = await new HttpReceiver().start();
    // Slow answers keep sends in flight when the kill lands.
    receiver.script('/burst', [{ status: 200, delayMs: 40 }]);
    const options = {
      app: 'dispatcher',
      databaseUrl: await createTestDatabase('dispatcher-crash'),
      groupPrefix: `test.dispatcher-crash.${randomBytes(4).toString('hex')}`,
      adminToken: `test-admin-${randomBytes(12).toString('hex')}`,
      env: { DESTINATIONS_ALLOW_PRIVATE: 'true', KAFKA_SESSION_TIMEOUT_MS: '6000' },
    };
    processes.push(
      ...(await Promise.all([
        AppProcess.start('dispatcher-1', options),
        AppProcess.start('dispatcher-2', options),
      ])),
    );
    const { account, apiKey } = await seedAccount('Burst');
    await publishDestination(account.id, {
      url: `${receiver.baseUrl}/burst?cid={conversion_id}`,
    });
    const integrationId = randomUUID();
    const conversions = await Promise.all(
      Array.from({ length: BURST }, () => publishConversion(account.id, integrationId)),
    );
    await eventually(() => expect(receiver.to('/burst').length).toBeGreaterThan(BURST / 4), {
      timeoutMs: 30_000,
      intervalMs: 5,
    });
    processes[0].kill('SIGKILL');

    const survivor = processes[1];
    await eventually(
      async () => {
        const response = await fetch(
          `${survivor.baseUrl}/api/deliveries?status=delivered&limit=500`,
          {
            headers: { authorization: `Bearer ${apiKey}` },
          },
        );
        const page = (await response.json()) as {
          items: Array<{ id: string; conversionId: string }>;
        };
        expect(page.items).toHaveLength(BURST);
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    // Every conversion reached the receiver; a key never stood for two conversions.
    const conversionsByKey = new Map<string, Set<string>>();
    for (const request of receiver.to('/burst')) {
      const key = String(request.headers['idempotency-key']);
      const cid = new URL(request.url, receiver.baseUrl).searchParams.get('cid')!;
      conversionsByKey.set(key, (conversionsByKey.get(key) ?? new Set()).add(cid));
    }
    expect(conversionsByKey.size).toBe(BURST);
    expect([...conversionsByKey.values()].every((cids) => cids.size === 1)).toBe(true);
    const received = new Set([...conversionsByKey.values()].flatMap((cids) => [...cids]));
    expect(conversions.every((c) => received.has(c.id))).toBe(true);
  }, 180_000);
});
