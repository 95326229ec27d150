/**
 * The faults of a run, one after another at seeded random moments while the load runs: SIGKILL
 * of each app process in turn (the supervisor restarts it), the broker stopped for a while and
 * started again on the same port and data, PostgreSQL stopped and started again. Each waits
 * until the tracker is whole again (every readiness component `up`) before the next one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../bench/src/support/wait';
import { PrivateInfrastructure } from './private-infrastructure';
import { SeededRandom } from './seeded-random';
import { APP_PROCESSES, AppProcessName, TrackerUnderTest } from './tracker-under-test';

export type FaultName = `SIGKILL ${AppProcessName}` | 'broker stop' | 'PostgreSQL restart';

export interface FaultRecord {
  name: FaultName;
  /** When it was injected, ms since the load started. */
  at: number;
  /** How long the process or server was gone (ms). */
  downMs: number;
  /** From injection until every readiness component was `up` again (ms); null if never. */
  recoveredMs: number | null;
  /** Anything else measured, e.g. the time from the broker's return until all were final. */
  note: string;
}

export interface FaultOptions {
  brokerDownMs: number;
  /** The load's planned length: faults are spread over its first 85 %. */
  loadMs: number;
  /** Ms since the load started (the load's clock). */
  now: () => number;
  /**
   * Called once the broker serves again, with the time it returned; resolves with a note on
   * how long until every postback acknowledged so far was final.
   */
  afterBrokerReturn: (returnedAt: number) => Promise<string>;
}

const RECOVERY_TIMEOUT_MS = 180_000;
/** About what each fault takes, to spread the gaps between them over the load. */
const EXPECTED_MS = { kill: 5000, postgres: 10_000, brokerExtra: 15_000 };

export class FaultInjector {
  readonly records: FaultRecord[] = [];

  constructor(
    private readonly random: SeededRandom,
    private readonly tracker: TrackerUnderTest,
    private readonly infra: PrivateInfrastructure,
    private readonly options: FaultOptions,
  ) {}

  /** The faults in the order the seed gives them. */
  plan(): FaultName[] {
    const kills = Object.keys(APP_PROCESSES).map((app) => `SIGKILL ${app}` as FaultName);
    return this.random.shuffled<FaultName>([...kills, 'broker stop', 'PostgreSQL restart']);
  }

  async run(): Promise<void> {
    const faults = this.plan();
    const busyMs =
      (faults.length - 2) * EXPECTED_MS.kill +
      EXPECTED_MS.postgres +
      this.options.brokerDownMs +
      EXPECTED_MS.brokerExtra;
    const meanGapMs = Math.max(1000, (this.options.loadMs * 0.85 - busyMs) / faults.length);
    for (const fault of faults) {
      await sleep(Math.round(meanGapMs * (0.4 + 1.2 * this.random.fraction())));
      this.records.push(await this.inject(fault));
    }
  }

  private async inject(name: FaultName): Promise<FaultRecord> {
    if (name === 'broker stop') return this.stopBroker();
    if (name === 'PostgreSQL restart') return this.restartPostgres();
    return this.kill(name, name.slice('SIGKILL '.length) as AppProcessName);
  }

  private async kill(name: FaultName, app: AppProcessName): Promise<FaultRecord> {
    let pid: number | undefined;
    await waitFor(async () => (pid = this.tracker.appPid(app)) !== undefined, 60_000, app);
    const at = this.options.now();
    process.kill(pid!, 'SIGKILL');
    await waitFor(
      async () => ![undefined, pid].includes(this.tracker.appPid(app)),
      RECOVERY_TIMEOUT_MS,
      `${app} restarted`,
      50,
    );
    const downMs = this.options.now() - at;
    return { name, at, downMs, recoveredMs: await this.recovered(at), note: `pid ${pid}` };
  }

  private async stopBroker(): Promise<FaultRecord> {
    const at = this.options.now();
    await this.infra.stopBroker();
    await sleep(this.options.brokerDownMs);
    await this.infra.startBroker();
    const returnedAt = this.options.now();
    const recoveredMs = await this.recovered(at);
    const note = await this.options.afterBrokerReturn(returnedAt);
    return { name: 'broker stop', at, downMs: returnedAt - at, recoveredMs, note };
  }

  private async restartPostgres(): Promise<FaultRecord> {
    const at = this.options.now();
    await this.infra.stopPostgres();
    await this.infra.startPostgres();
    const downMs = this.options.now() - at;
    return {
      name: 'PostgreSQL restart',
      at,
      downMs,
      recoveredMs: await this.recovered(at),
      note: '',
    };
  }

  /** Ms from `at` until every readiness component is `up`, or null after the timeout. */
  private async recovered(at: number): Promise<number | null> {
    try {
      await this.tracker.waitReady(RECOVERY_TIMEOUT_MS);
      return this.options.now() - at;
    } catch {
      return null;
    }
  }
}
