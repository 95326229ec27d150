/**
 * The environment the tracker reads, parsed once at boot into a typed object.
 * Names marked binding in SPEC section 6 are kept exactly; the rest are internal knobs.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** `pretty`: human-readable lines for a terminal; `json`: one JSON object per line. */
export type LogFormat = 'pretty' | 'json';

/**
 * How `npm start` (the `tracker` app) runs the apps: `multi` as one supervised process per app
 * behind the one port (every core works, the postback endpoint never waits behind a
 * projection), `single` all in one process; `auto` is `multi` on a machine with 2+ cores.
 */
export type TrackerProcesses = 'auto' | 'multi' | 'single';

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
  /** Binding: LOG_FORMAT; default `pretty` when stdout is a terminal, else `json`. */
  logFormat: LogFormat;
  /** Binding: KAFKA_KEEP; a local broker `npm start` started keeps running after it stops. */
  kafkaKeep: boolean;
  /** TRACKER_PROCESSES: see TrackerProcesses. */
  trackerProcesses: TrackerProcesses;
  /**
   * TRACKER_WORKER_NICE: the niceness (0–19) the multi-process tracker gives its app processes,
   * so that on a busy machine the edge (the public port) gets the CPU first and a partner's
   * postback never waits behind a projection (issue 15). 0 turns it off.
   */
  trackerWorkerNice: number;
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
   * Slow clients (SPEC section 9): a request (headers and body) must have arrived within
   * `httpRequestTimeoutMs`, its headers within `httpHeadersTimeoutMs`; an idle keep-alive
   * connection is closed after `httpKeepAliveTimeoutMs`.
   */
  httpRequestTimeoutMs: number;
  httpHeadersTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
  /** SPEC section 9: an API query running longer is cancelled (one tenant cannot starve the rest). */
  apiStatementTimeoutMs: number;
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
