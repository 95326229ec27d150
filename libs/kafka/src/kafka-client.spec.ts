import { logLevel } from 'kafkajs';
import { kafkajsLogLevel } from './kafka-client';

describe('kafkajsLogLevel', () => {
  it('keeps an unexpected error an error', () => {
    expect(kafkajsLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', 'x')).toBe(
      'error',
    );
  });

  it('writes the topic-creation race of processes starting together as a debug line', () => {
    // Given another process created the topics a moment earlier on a fresh broker,
    const level = kafkajsLogLevel(
      logLevel.ERROR,
      'Response CreateTopics(key: 19, version: 3)',
      'Topic creation errors',
    );
    // then kafkajs' error-level response log is not an error of a normal start.
    expect(level).toBe('debug');
  });

  it('writes answers kafkajs retries by itself, and the chosen warnings, as debug lines', () => {
    expect(
      kafkajsLogLevel(
        logLevel.ERROR,
        'Response InitProducerId(key: 22, version: 1)',
        "The coordinator is loading and hence can't process requests for this group",
      ),
    ).toBe('debug');
    expect(
      kafkajsLogLevel(logLevel.WARN, 'Limiting retries for the idempotent producer to 2', null),
    ).toBe('debug');
    expect(kafkajsLogLevel(logLevel.WARN, 'Consumer heartbeat failed', null)).toBe('warn');
  });
});
