/** The load tool (autocannon) and the bare Fastify hello-world every ratio is measured against. */
import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@tracker/testing';
import { waitFor } from './wait';

export interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  overallRate?: number;
  requests?: Array<{ setupRequest: (request: { path: string }) => { path: string } }>;
}

// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const autocannon = require('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

const BARE_FASTIFY = `
const fastify = require('fastify')({ logger: false });
fastify.get('/', async () => ({ hello: 'world' }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;

/** The hello-world reference as a child process (never in the load generator's event loop). */
export async function startBareFastify(
  root: string,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', BARE_FASTIFY], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(async () => (await fetch(url)).ok, 15000, 'bare Fastify');
  return { child, url };
}
