import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { eventually, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';

const root = path.join(__dirname, '..');

/** Runs the real tracker entry point and collects how it ended. */
function runTracker(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(root, 'apps/tracker/main.ts')],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('tracker start-up', () => {
  it.each([
    ['PORT', 'not-a-port'],
    ['KAFKA_BROKERS', 'no-port-here'],
    ['DATABASE_URL', 'mysql://db/tracker'],
    ['PUBLIC_BASE_URL', 'tracker.example.com'],
  ])('stops with a message naming %s when it is invalid', async (name, value) => {
    const { code, stderr } = await runTracker({ [name]: value });
    expect(code).toBe(1);
    expect(stderr).toContain(`Invalid configuration: ${name}`);
  });

  describe('with every app in one process', () => {
    let tracker: TestApp;

    beforeAll(async () => {
      tracker = await startTestApp({ name: 'startup', features: TRACKER_FEATURES });
    });

    afterAll(async () => {
      await tracker?.close();
    });

    it('reports live, and ready once Kafka and PostgreSQL answer', async () => {
      const live = await fetch(`${tracker.baseUrl}/health/live`);
      expect(live.status).toBe(200);
      await eventually(async () => {
        const ready = await fetch(`${tracker.baseUrl}/health/ready`);
        const body = (await ready.json()) as {
          checks: Record<string, string>;
          components: Record<string, string>;
        };
        expect(ready.status).toBe(200);
        // With the ingress' spool in the process, Kafka is reported but does not gate readiness.
        expect(body.components.kafka).toBe('up');
        expect(body.checks.durability).toBe('up');
        expect(Object.keys(body.checks).some((name) => name.startsWith('postgres:'))).toBe(true);
      });
    });

    it('serves Prometheus metrics and the OpenAPI document', async () => {
      const metrics = await fetch(`${tracker.baseUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('process_cpu_seconds_total');
      const docs = await fetch(`${tracker.baseUrl}/docs-json`);
      expect(docs.status).toBe(200);
      expect(((await docs.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      expect((await fetch(`${tracker.baseUrl}/docs`)).status).toBe(200);
    });

    it('answers unknown API routes with the JSON error shape', async () => {
      const response = await fetch(`${tracker.baseUrl}/api/no/such/route`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        statusCode: 404,
        message: 'Cannot GET /api/no/such/route',
      });
    });

    it("answers other unknown paths with the console's not-found page, status 404", async () => {
      const response = await fetch(`${tracker.baseUrl}/no/such/route`);
      expect(response.status).toBe(404);
      // The console's page once it is built (npm start builds it), a plain note before that.
      expect(response.headers.get('content-type')).toMatch(/^text\/(html|plain)/);
    });
  });
});
