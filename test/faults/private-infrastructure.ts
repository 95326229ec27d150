/**
 * The broker and the database of one faults run, private to it under a temp dir (removed by
 * `dispose()`), each of which can be stopped and started again on the same port and data: the
 * tracker must find them where it left them.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  createDatabase,
  ensureLocalKafka,
  ensureLocalPostgres,
  findRepoRoot,
  freePort,
  LocalKafkaOptions,
  LocalPostgresHandle,
  stopLocalKafka,
} from '@tracker/local-infra';

export class PrivateInfrastructure {
  brokers: string[] = [];
  databaseUrl = '';
  private postgres: LocalPostgresHandle | null = null;
  private brokerRunning = false;
  /** Set while this run itself has the broker or the database down. */
  brokerDown = false;
  postgresDown = false;

  private constructor(
    readonly dir: string,
    private readonly kafka: LocalKafkaOptions,
    private readonly postgresPort: number,
  ) {}

  /** Starts both in a fresh temp dir; the broker's jars come from `.data/kafka/libs` (shared). */
  static async start(): Promise<PrivateInfrastructure> {
    const dir = mkdtempSync(path.join(tmpdir(), 'tracker-faults-'));
    // The embedded PostgreSQL runs as the 'postgres' user when we are root: it must enter this.
    chmodSync(dir, 0o711);
    const infra = new PrivateInfrastructure(
      dir,
      {
        dataDir: path.join(dir, 'kafka'),
        libsDir: path.join(findRepoRoot(), '.data', 'kafka', 'libs'),
        port: await freePort(),
        controllerPort: await freePort(),
        log: () => undefined,
      },
      await freePort(),
    );
    try {
      await infra.startBroker();
      await infra.startPostgres();
      infra.databaseUrl = await createDatabase(infra.postgres!.url, 'faults');
    } catch (error) {
      await infra.dispose();
      throw error;
    }
    return infra;
  }

  get brokerPort(): number {
    return this.kafka.port!;
  }

  get postgresPortNumber(): number {
    return this.postgresPort;
  }

  async startBroker(): Promise<void> {
    const handle = await ensureLocalKafka(this.kafka);
    if (!handle.startedHere) throw new Error(`port ${this.kafka.port} was taken by another broker`);
    this.brokers = handle.brokers;
    this.brokerRunning = true;
    this.brokerDown = false;
  }

  /** A controlled shutdown (SIGTERM), as an operator's restart does. */
  async stopBroker(): Promise<void> {
    this.brokerDown = true;
    await stopLocalKafka(this.kafka);
    this.brokerRunning = false;
  }

  async startPostgres(): Promise<void> {
    this.postgres = await ensureLocalPostgres({
      dataDir: path.join(this.dir, 'postgres'),
      port: this.postgresPort,
      log: () => undefined,
    });
    if (!this.postgres.startedHere) {
      throw new Error(`port ${this.postgresPort} was taken by another PostgreSQL`);
    }
    this.postgresDown = false;
  }

  async stopPostgres(): Promise<void> {
    this.postgresDown = true;
    await this.postgres?.stop();
    this.postgres = null;
  }

  /** Stops both and removes the temp dir. */
  async dispose(): Promise<void> {
    if (this.brokerRunning) await this.stopBroker().catch(() => undefined);
    await this.stopPostgres().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
