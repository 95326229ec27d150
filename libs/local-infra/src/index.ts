export {
  ensureLocalKafka,
  localKafkaStatus,
  stopLocalKafka,
  type LocalKafkaHandle,
  type LocalKafkaOptions,
  type LocalKafkaStatus,
} from './kafka-broker';
export {
  createDatabase,
  ensureLocalPostgres,
  type LocalPostgresHandle,
  type LocalPostgresOptions,
} from './embedded-postgres';
export { probeBrokerMetadata, type ProbedBroker } from './kafka-metadata-probe';
export { freePort, isPortOpen, servicePorts } from './processes';
export { findRepoRoot } from './repo-root';
