/**
 * The environment the tracker reads, parsed once at boot into a typed object.
 * Names marked binding in SPEC section 6 are kept exactly; the rest are internal knobs.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface TrackerConfig {
  /** HTTP port of the process (binding: PORT). */
  port: number;
  /** Base of every URL we hand out: postback URLs, tracking links (binding: PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  /** Kafka bootstrap servers; null means "start the embedded local broker" (binding: KAFKA_BROKERS). */
  kafkaBrokers: string[] | null;
  /** PostgreSQL URL; null means "start the embedded PostgreSQL" (binding: DATABASE_URL). */
  databaseUrl: string | null;
  /** Token that may create accounts; null means "generate one and print it" (binding: TRACKER_ADMIN_TOKEN). */
  adminToken: string | null;
  logLevel: LogLevel;
  /** Prefix of every consumer group id; lets tests and blue/green runs keep separate offsets. */
  kafkaGroupPrefix: string;
  /** Partitions for topics we create ourselves (existing topics are left alone). */
  kafkaTopicPartitions: number;
  /** How long a silent consumer-group member keeps its partitions (a crashed replica's hand-over time). */
  kafkaSessionTimeoutMs: number;
  /** Folder of the ingress on-disk spool used while Kafka is unreachable. */
  spoolDir: string;
  /** Upper bound of the spool in bytes; past it the ingress answers 503. */
  spoolMaxBytes: number;
  /** Where embedded infrastructure keeps its data. */
  dataDir: string;
  /** CORS is off unless origins are listed. */
  corsOrigins: string[];
  /**
   * Outgoing postbacks may go to loopback, private, link-local and metadata addresses (binding:
   * DESTINATIONS_ALLOW_PRIVATE, default false; SPEC section 4). For tests and closed networks.
   */
  destinationsAllowPrivate: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

/** The configuration after embedded defaults were started: every connection is known. */
export interface RuntimeConfig extends TrackerConfig {
  kafkaBrokers: string[];
  databaseUrl: string;
  adminToken: string;
}
