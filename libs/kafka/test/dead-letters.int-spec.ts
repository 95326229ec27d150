/**
 * SPEC section 9: `npm run dlq -- <topic>` lists dead letters (reason, step, event id, click
 * id) and `--redrive` re-publishes each once, exactly once, onto its topic.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { loadConfig } from '@tracker/config';
import { dlqTopic, Topics } from '@tracker/contracts';
import { eventually, testKafka, TopicTail, topicEnds } from '@tracker/testing';
import { register } from 'prom-client';
import {
  DeadLetter,
  ensureTopics,
  EventProducer,
  listDeadLetters,
  redriveDeadLetters,
  sendToDeadLetter,
} from '../src';

const kafka = testKafka('dead-letters-spec');
const root = path.join(__dirname, '../../..');

/** `npm run dlq -- …` as the operator runs it (from source: the same module dist/ holds). */
function runDlq(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '-e',
        `require('./libs/kafka/src/dlq-cli').runDlqCli(${JSON.stringify(args)})`,
      ],
      { cwd: root, env: { ...process.env, LOG_LEVEL: 'error' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function letter(topic: string, offset: number, value: string | null, reason: string): DeadLetter {
  return {
    topic,
    partition: 0,
    step: 'spec.projection',
    reason,
    raw: {
      key: Buffer.from(`key-${offset}`),
      value: value === null ? null : Buffer.from(value),
      headers: { type: 'PostbackReceived' },
      offset: String(offset),
      timestamp: String(Date.now()),
    },
  };
}

describe('dead letters: list and redrive (Kafka)', () => {
  const topic = `spec.dead-letters.${randomBytes(4).toString('hex')}`;
  const prefix = `spec.${randomBytes(4).toString('hex')}`;
  let producer: EventProducer;
  let tail: TopicTail;

  beforeAll(async () => {
    // The suite may be the run's first: the tracker's topics (and their .dlq) must exist, and a
    // fresh broker may take a moment to elect their leaders.
    const partitions = loadConfig({}).kafkaTopicPartitions;
    await eventually(() => ensureTopics(kafka, partitions), { timeoutMs: 30_000 });
    const ours = [topic, dlqTopic(topic)].map((name) => ({ name, compacted: false }));
    await eventually(() => ensureTopics(kafka, 2, ours), { timeoutMs: 30_000 });
    producer = new EventProducer(kafka);
    await producer.connect();
    tail = await new TopicTail(kafka, topic).start();
  });

  afterAll(async () => {
    await tail?.stop();
    await producer?.disconnect();
  });

  it('lists a topic’s dead letters from the command line, and refuses an unknown topic', async () => {
    // The conversions' dead-letter topic: no app consumes it, so listing it disturbs nobody.
    const eventId = randomUUID();
    await sendToDeadLetter(producer, [
      letter(
        Topics.Conversions,
        41,
        JSON.stringify({ id: eventId, correlationId: 'ClickCli01' }),
        'handler failed: cli spec',
      ),
    ]);
    const listed = await runDlq([Topics.Conversions]);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const line = listed.stdout.split('\n').find((l) => l.includes(eventId));
    expect(line?.split('\t')).toEqual([
      expect.stringMatching(/^\d+\/\d+$/),
      'spec.projection',
      eventId,
      'ClickCli01',
      'pending',
      'handler failed: cli spec',
    ]);
    expect(listed.stdout).toMatch(/dead letter\(s\) in tracker\.conversions\.v1\.dlq/);

    const wrong = await runDlq(['tracker.nope.v1']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('usage: npm run dlq -- <topic> [--redrive]');
  });

  it('lists them with reason, step, event id and click id, and redrives each exactly once', async () => {
    const eventId = randomUUID();
    const counted = async () =>
      (await register.getSingleMetric('tracker_kafka_dead_letters_total')!.get()).values
        .filter((v) => v.labels.topic === topic)
        .reduce((sum, v) => sum + v.value, 0);
    await sendToDeadLetter(producer, [
      letter(
        topic,
        7,
        JSON.stringify({ id: eventId, correlationId: 'Click0001x', type: 'PostbackReceived' }),
        'handler failed: unsupported Unicode escape sequence',
      ),
      letter(topic, 8, 'not json at all', 'undecodable: not JSON'),
    ]);
    expect(await counted()).toBe(2);

    const listed = await listDeadLetters(kafka, topic, prefix);
    expect(listed).toHaveLength(2);
    expect(listed.find((l) => l.eventId === eventId)).toMatchObject({
      reason: 'handler failed: unsupported Unicode escape sequence',
      step: 'spec.projection',
      clickId: 'Click0001x',
      topic,
      sourcePartition: '0',
      sourceOffset: '7',
      redriven: false,
    });
    expect(listed.find((l) => l.eventId === null)).toMatchObject({
      reason: 'undecodable: not JSON',
      sourceOffset: '8',
    });

    expect(await redriveDeadLetters(kafka, topic, prefix)).toHaveLength(2);
    // A second run finds nothing left: each was re-published once.
    expect(await redriveDeadLetters(kafka, topic, prefix)).toEqual([]);
    expect((await listDeadLetters(kafka, topic, prefix)).every((l) => l.redriven)).toBe(true);

    // One more dead letter later: only that one is re-driven.
    await sendToDeadLetter(producer, [letter(topic, 9, '{"id":"x"}', 'again')]);
    expect((await redriveDeadLetters(kafka, topic, prefix)).map((l) => l.sourceOffset)).toEqual([
      '9',
    ]);

    // Three transactions of one message each: three messages and three commit markers.
    const ends = await topicEnds(kafka, [topic]);
    expect(ends.reduce((sum, end) => sum + Number(end.offset), 0)).toBe(6);
    await eventually(() => expect(tail.records).toHaveLength(3));
    expect(tail.records.map((r) => r.key).sort()).toEqual(['key-7', 'key-8', 'key-9']);
    for (const record of tail.records) {
      expect(record.headers.type).toBe('PostbackReceived');
      expect(record.headers['dlq.reason']).toBeUndefined();
      expect(record.headers['dlq.redriven-from']).toMatch(new RegExp(`^${dlqTopic(topic)}:`));
    }
    expect(tail.records.find((r) => r.key === 'key-8')?.value?.toString()).toBe('not json at all');
    expect(await counted()).toBe(3);
  });
});
