import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, TrackerConfig } from '@tracker/config';
import { resolveInfrastructure } from '@tracker/platform';
import {
  ReplayDefinition,
  ReplayInconsistentError,
  ReplayRefusedError,
  runReplay,
} from './run-replay';

/** Exit codes of `npm run replay`: 0 switched, 1 failed or inconsistent, 3 refused (already running). */
export const REPLAY_EXIT = { ok: 0, failed: 1, refused: 3 } as const;

/**
 * `node dist/apps/<app>/replay.js`: the app's environment (DATABASE_URL, KAFKA_BROKERS,
 * KAFKA_GROUP_PREFIX), then one replay; messages on stdout, progress and errors on stderr.
 */
export async function runReplayCli(definition: ReplayDefinition): Promise<never> {
  Logger.overrideLogger(['error']);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let code: number = REPLAY_EXIT.ok;
  let stopInfrastructure = async () => undefined as void;
  let config: TrackerConfig | undefined;
  try {
    config = loadConfig();
    const infrastructure = await resolveInfrastructure(config, err);
    stopInfrastructure = () => infrastructure.stop();
    await runReplay(definition, {
      databaseUrl: infrastructure.config.databaseUrl,
      brokers: infrastructure.config.kafkaBrokers,
      groupPrefix: infrastructure.config.kafkaGroupPrefix,
    });
  } catch (error) {
    if (error instanceof ReplayRefusedError) {
      code = REPLAY_EXIT.refused;
      err(`replay refused: ${error.message}`);
    } else if (error instanceof ReplayInconsistentError || error instanceof ConfigError) {
      code = REPLAY_EXIT.failed;
      err(error.message);
    } else {
      code = REPLAY_EXIT.failed;
      // The stack helps only when debugging; the message says what to do.
      const detail = config?.logLevel === 'debug' ? (error as Error).stack : undefined;
      err(
        `replay ${definition.model} failed: ${detail ?? (error as Error).message ?? String(error)}`,
      );
    }
  } finally {
    await stopInfrastructure().catch(() => undefined);
  }
  process.exit(code);
}
