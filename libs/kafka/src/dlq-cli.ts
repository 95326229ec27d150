import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@tracker/config';
import { DLQ_SUFFIX, EVENT_TOPICS } from '@tracker/contracts';
import { DeadLetterRecord, listDeadLetters, redriveDeadLetters } from './dead-letters';
import { createKafkaClient } from './kafka-client';

/** The broker `npm start` runs when KAFKA_BROKERS is unset (README, Configuration). */
const LOCAL_BROKER = '127.0.0.1:9092';

const USAGE = `usage: npm run dlq -- <topic> [--redrive]
  lists the dead letters of <topic> (one of ${EVENT_TOPICS.join(', ')}):
  partition/offset in <topic>${DLQ_SUFFIX}, step, event id, click id, whether re-driven, reason;
  --redrive re-publishes each one not re-driven before onto <topic>, exactly once`;

/** One line per dead letter, tab-separated, for a terminal or `cut`. */
export function formatDeadLetter(letter: DeadLetterRecord): string {
  return [
    `${letter.partition}/${letter.offset}`,
    letter.step ?? '-',
    letter.eventId ?? '-',
    letter.clickId ?? '-',
    letter.redriven ? 'redriven' : 'pending',
    letter.reason ?? '-',
  ].join('\t');
}

/**
 * `npm run dlq -- <topic> [--redrive]` (SPEC section 9): the environment's KAFKA_BROKERS and
 * KAFKA_GROUP_PREFIX, then a listing or one redrive. Exit 0 done, 1 failed, 2 bad usage.
 */
export async function runDlqCli(argv: string[] = process.argv.slice(2)): Promise<never> {
  Logger.overrideLogger(['error']);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const flags = argv.filter((arg) => arg.startsWith('--'));
  const [topic, ...extra] = argv.filter((arg) => !arg.startsWith('--'));
  const redrive = flags.includes('--redrive');
  if (
    !topic ||
    extra.length > 0 ||
    flags.some((flag) => flag !== '--redrive') ||
    !(EVENT_TOPICS as readonly string[]).includes(topic)
  ) {
    err(USAGE);
    process.exit(2);
  }
  let code = 0;
  try {
    const config = loadConfig();
    const kafka = createKafkaClient({
      brokers: config.kafkaBrokers ?? [LOCAL_BROKER],
      clientId: 'tracker-dlq',
    });
    if (redrive) {
      const done = await redriveDeadLetters(kafka, topic, config.kafkaGroupPrefix);
      for (const letter of done) out(formatDeadLetter(letter));
      out(`re-drove ${done.length} dead letter(s) onto ${topic}`);
    } else {
      const letters = await listDeadLetters(kafka, topic, config.kafkaGroupPrefix);
      out(['position', 'step', 'event id', 'click id', 'state', 'reason'].join('\t'));
      for (const letter of letters) out(formatDeadLetter(letter));
      const pending = letters.filter((letter) => !letter.redriven).length;
      out(`${letters.length} dead letter(s) in ${topic}${DLQ_SUFFIX}, ${pending} not re-driven`);
    }
  } catch (error) {
    code = 1;
    err(
      error instanceof ConfigError
        ? error.message
        : `dlq ${topic} failed: ${(error as Error).message ?? String(error)}`,
    );
  }
  process.exit(code);
}
