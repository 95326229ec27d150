import { Logger } from '@nestjs/common';
import { connect, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ISocketFactory, Kafka, logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
}

const logger = new Logger('kafkajs');

/**
 * Answers a booting or rebalancing broker gives and kafkajs retries by itself: kafkajs logs them
 * at error level, but they are expected (a normal start must print no error line).
 */
const RETRIED_CONDITIONS =
  /coordinator (is )?(not available|load)|not the correct coordinator|leader not available|no leader|does not host this topic-partition|not leader|ECONNREFUSED|rebalanc/i;

/**
 * Several app processes create the missing topics at once on a fresh broker; all but one get
 * TOPIC_ALREADY_EXISTS, which kafkajs logs at error level as "Topic creation errors" before
 * ensureTopics() sees it, takes it as success and throws any other failure itself.
 */
const TOPIC_CREATION_RACE = /^Response CreateTopics\b/;

/**
 * kafkajs restarts a consumer by itself only after a retriable error, and it logs the crash and
 * its cause first (an error line unless the cause is one of RETRIED_CONDITIONS); its "Restarting
 * the consumer" line, also at error level, is the recovery: a warning. On a fresh broker a
 * table's consumer met a loading coordinator and printed only this line at error level.
 */
const SELF_RESTART = /^Restarting the consumer in \d+ms/;

/**
 * Warnings that describe a choice we made on purpose: the ingress bounds its producer's retries
 * so that it falls back to the spool quickly (nothing acknowledged depends on kafkajs' EoS).
 */
const EXPECTED_WARNINGS = /Limiting retries for the idempotent producer/;

/**
 * The level a kafkajs log entry is written at: its own, except that answers kafkajs retries by
 * itself, the topic-creation race and the warnings we chose are debug lines, and its restart of
 * a consumer is a warning.
 */
export function kafkajsLogLevel(
  level: KafkaLogLevel,
  message: string,
  error: unknown,
): 'error' | 'warn' | 'debug' {
  const expected =
    RETRIED_CONDITIONS.test(`${String(error ?? '')} ${message}`) ||
    TOPIC_CREATION_RACE.test(message);
  if (level === KafkaLogLevel.ERROR && !expected) {
    return SELF_RESTART.test(message) ? 'warn' : 'error';
  }
  if (level === KafkaLogLevel.WARN && !EXPECTED_WARNINGS.test(message)) return 'warn';
  return 'debug';
}

/** Routes kafkajs' own logging into the application logger instead of stdout. */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    logger[kafkajsLogLevel(level, message, extra.error)](`${message} ${JSON.stringify(extra)}`);
  };
}

/**
 * kafkajs' own socket factory (keep-alive after 60 s) with Nagle's algorithm off, as pg and
 * Node's HTTP server have it: kafkajs leaves it on, so a small request written while an earlier
 * segment is unacknowledged waits for the broker's ACK. Each postback's 200 waits for a produce
 * round trip (acks=all); in a box bench at 0.03 × the reference the edge answered 53% of
 * postbacks within 10 ms with it off, against 27% with it on.
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? connectTls(
        { host, port, ...(isIP(host) !== 0 ? {} : { servername: host }), ...ssl },
        onConnect,
      )
    : connect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  socket.setNoDelay(true);
  return socket;
};

/** One place that knows how we talk to the cluster; everything else receives this client. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator,
    socketFactory: noDelaySocketFactory,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
  });
}
