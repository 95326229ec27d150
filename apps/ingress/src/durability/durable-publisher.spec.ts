import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createEvent } from '@tracker/contracts';
import { RuntimeConfig } from '@tracker/config';
import { KafkaRuntime } from '@tracker/kafka';
import { DurablePublisher } from './durable-publisher';
import { Spool } from './spool';

/** A stand-in for kafkajs' producer: the broker is down until `up` is set. */
function brokerStub() {
  const state = { up: false, sent: [] as string[] };
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async ({
      topicMessages,
    }: {
      topicMessages: Array<{ messages: Array<{ value: string }> }>;
    }) => {
      if (!state.up) throw new Error('connect ECONNREFUSED');
      for (const { messages } of topicMessages) for (const m of messages) state.sent.push(m.value);
      return [];
    },
  };
  const runtime = { kafka: { producer: () => producer } } as unknown as KafkaRuntime;
  return { state, runtime };
}

function postback(n: number) {
  return createEvent(
    'PostbackReceived',
    {
      method: 'GET',
      url: `/api/postbacks/x/tracker-postback?n=${n}`,
      query: { n: String(n) },
      body: null,
      remoteAddress: '127.0.0.1',
      userAgent: 'test',
      event: null,
      clickId: null,
      receivedAt: new Date().toISOString(),
    },
    { accountId: 'a', integrationId: 'i', correlationId: null },
  );
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the spool drainer (SPEC section 9: nothing stops silently)', () => {
  it('given a disk error while draining, when it passes, then the drainer goes on and says why meanwhile', async () => {
    const { state, runtime } = brokerStub();
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'spool-drainer-'));
    const publisher = new DurablePublisher(runtime, {
      spoolDir,
      spoolMaxBytes: 1e6,
    } as RuntimeConfig);
    await publisher.onModuleInit();
    const read = jest.spyOn(Spool.prototype, 'read');
    read.mockRejectedValueOnce(
      Object.assign(new Error('EIO: i/o error, read /x'), { code: 'EIO' }),
    );
    read.mockRejectedValueOnce(
      Object.assign(new Error('EIO: i/o error, read /x'), { code: 'EIO' }),
    );
    try {
      // The broker is down: both go to the spool.
      const events = [postback(1), postback(2)];
      await Promise.all(
        events.map((event) => publisher.publish('tracker.postbacks.v1', event, 'k')),
      );
      await until(async () => {
        try {
          await publisher.drainerHealthy();
          return false;
        } catch (error) {
          return (error as Error).message === 'reading the spool failed (EIO); retrying';
        }
      });

      state.up = true;

      await until(() => state.sent.length === 2);
      expect(state.sent.map((value) => JSON.parse(value).id)).toEqual(events.map((e) => e.id));
      await until(() => publisher.spoolIsEmpty);
      await until(() =>
        publisher.drainerHealthy().then(
          () => true,
          () => false,
        ),
      );
    } finally {
      read.mockRestore();
      await publisher.beforeApplicationShutdown();
    }
  });
});
