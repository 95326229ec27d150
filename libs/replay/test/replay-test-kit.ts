import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@tracker/config';
import { ensureTopics, fetchWatermarks, OffsetMap, setGroupOffsets } from '@tracker/kafka';
import { testKafka } from '@tracker/testing';
import { replayLockKey, ReplayModel } from '../src';

/**
 * Starts the live consumer groups at the topics' current end and returns that position: the
 * topics are shared, so the live model and its replay both begin there (ReplayOptions.from).
 */
export async function liveGroupsAtEnd(
  groupIds: string[],
  topics: readonly string[],
): Promise<OffsetMap> {
  const kafka = testKafka('replay-test');
  // The suite may be the run's first: the topics must exist before their ends can be read.
  await ensureTopics(kafka, loadConfig({}).kafkaTopicPartitions);
  const { end } = await fetchWatermarks(kafka, topics);
  for (const groupId of groupIds) {
    const own = new Map([...end].filter(([key]) => topics.some((t) => key.startsWith(`${t}:`))));
    await setGroupOffsets(kafka, groupId, own);
  }
  return end;
}

/** Resolves once some session holds the model's replay lock (a replay is under way). */
export async function waitForReplayLock(databaseUrl: string, model: ReplayModel): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { classId, objectId } = replayLockKey(model);
    for (let i = 0; i < 400; i++) {
      const { rowCount } = await client.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2
           AND objsubid = 2 AND granted`,
        [classId, objectId],
      );
      if (rowCount) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no replay of ${model} took its lock`);
  } finally {
    await client.end();
  }
}

/** Runs `apps/<app>/replay.ts` as `npm run replay` would (through swc), with the given env. */
export function runReplayCommand(
  app: ReplayModel,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = path.join(__dirname, '..', '..', '..');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join('apps', app, 'replay.ts')],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
