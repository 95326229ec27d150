import { Logger } from '@nestjs/common';
import { Kafka, logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
}

const logger = new Logger('kafkajs');

/** Routes kafkajs' own logging into the application logger instead of stdout. */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === KafkaLogLevel.ERROR) logger.error(line);
    else if (level === KafkaLogLevel.WARN) logger.warn(line);
    else logger.debug(line);
  };
}

/** One place that knows how we talk to the cluster; everything else receives this client. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
  });
}
