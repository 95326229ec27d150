/**
 * The faults of a run, one after another at seeded random moments while the load runs: SIGKILL
 * of each app process in turn (the supervisor restarts it), the broker stopped for a while and
 * started again on the same port and data, PostgreSQL stopped and started again. Each waits
 * until the tracker is whole again (every readiness component `up`) before the next one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortOpen } from '@tracker/local-infra';
import { waitFor } from '../../bench/src/support/wait';
import { PrivateInfrastructure } from './private-infrastructure';
import { SeededRandom } from './seeded-random';
import { APP_PROCESSES, AppProcessName, TrackerUnderTest } from './tracker-under-test';

export type FaultName =
  | `SIGKILL ${AppProcessName}`
  | 'broker stop'
  | 'PostgreSQL restart'
  | 'broker lost (not by this run)'
  | 'PostgreSQL lost (not by this run)';

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
  /** Only the faults whose name contains one of these words (all when empty). */
  only: readonly string[];
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
/**
 * About what each fault takes (a killed consumer is back in its group once the dead member's
 * session expired, 10 s by default), to spread the gaps between them over the load.
 */
const EXPECTED_MS = { kill: 15_000, postgres: 10_000, brokerExtra: 15_000 };

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
    const all = this.random.shuffled<FaultName>([...kills, 'broker stop', 'PostgreSQL restart']);
    const { only } = this.options;
    return all.filter((name) => only.length === 0 || only.some((word) => name.includes(word)));
  }

  async run(): Promise<void> {
    const faults = this.plan();
    const busyMs = faults
      .map((name) =>
        name === 'broker stop'
          ? this.options.brokerDownMs + EXPECTED_MS.brokerExtra
          : name === 'PostgreSQL restart'
            ? EXPECTED_MS.postgres
            : EXPECTED_MS.kill,
      )
      .reduce((sum, ms) => sum + ms, 0);
    const meanGapMs = Math.max(1000, (this.options.loadMs * 0.85 - busyMs) / faults.length);
    const watchdog = setInterval(() => void this.watch(), 1000);
    try {
      for (const fault of faults) {
        await sleep(Math.round(meanGapMs * (0.4 + 1.2 * this.random.fraction())));
        this.records.push(await this.inject(fault));
      }
    } finally {
      clearInterval(watchdog);
      await this.watching;
    }
  }

  private watching: Promise<void> = Promise.resolve();
  private watchBusy = false;

  /**
   * The machine is shared: a broker or database stopped by something else than this run is
   * recorded (and started again), so the report says why the run saw more than it planned.
   */
  private async watch(): Promise<void> {
    if (this.watchBusy) return;
    this.watchBusy = true;
    this.watching = (async () => {
      try {
        if (!this.infra.brokerDown && !(await isPortOpen(this.infra.brokerPort))) {
          const at = this.options.now();
          await this.infra.startBroker();
          this.records.push(await this.unplanned('broker lost (not by this run)', at));
        }
        if (!this.infra.postgresDown && !(await isPortOpen(this.infra.postgresPortNumber))) {
          const at = this.options.now();
          await this.infra.stopPostgres();
          await this.infra.startPostgres();
          this.records.push(await this.unplanned('PostgreSQL lost (not by this run)', at));
        }
      } catch {
        // looked while a planned fault began: the next look decides
      } finally {
        this.watchBusy = false;
      }
    })();
    await this.watching;
  }

  private async unplanned(name: FaultName, at: number): Promise<FaultRecord> {
    const downMs = this.options.now() - at;
    return { name, at, downMs, recoveredMs: await this.recovered(at), note: 'found gone, started' };
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
    const stopped = this.options.now();
    await sleep(this.options.brokerDownMs);
    const starting = this.options.now();
    await this.infra.startBroker();
    const returnedAt = this.options.now();
    const recoveredMs = await this.recovered(at);
    const final = await this.options.afterBrokerReturn(returnedAt);
    const took = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    return {
      name: 'broker stop',
      at,
      downMs: returnedAt - at,
      recoveredMs,
      note: `stop took ${took(stopped - at)}, start ${took(returnedAt - starting)}; ${final}`,
    };
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
