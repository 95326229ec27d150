/**
 * Local Kafka broker for dev: `node dist/libs/local-infra/src/cli.js start|stop|status`.
 * `start` leaves the broker running detached; `stop` uses the pid file, so it also stops a broker
 * started by another process (e.g. `npm start` or a test run).
 */
import { ensureLocalKafka, localKafkaStatus, stopLocalKafka } from './kafka-broker';

type Command = 'start' | 'stop' | 'status';

const COMMANDS: Record<Command, () => Promise<void>> = {
  start: async () => {
    const handle = await ensureLocalKafka();
    const how = handle.startedHere ? 'started' : 'already running, reused';
    console.log(`Kafka ${how}: ${handle.brokers.join(',')}`);
    console.log(`Broker log: ${handle.logFile}`);
  },
  stop: async () => {
    if (await stopLocalKafka()) {
      console.log('Kafka stopped');
      return;
    }
    const status = await localKafkaStatus();
    console.log(
      status.portOpen
        ? `No broker recorded in the pid file; something else listens on ${status.brokers[0]} and was left alone`
        : 'Kafka is not running',
    );
  },
  status: async () => {
    const status = await localKafkaStatus();
    const pid = status.pid === undefined ? 'no local-infra broker' : `pid ${status.pid}`;
    const port = status.portOpen ? 'accepting connections' : 'closed';
    console.log(`Kafka ${status.brokers.join(',')}: ${port} (${pid}); log: ${status.logFile}`);
  },
};

function isCommand(value: string | undefined): value is Command {
  return value !== undefined && Object.hasOwn(COMMANDS, value);
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (!isCommand(command)) {
    console.error('Usage: cli.js start|stop|status');
    process.exitCode = 2;
    return;
  }
  await COMMANDS[command]();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
