import { Injectable } from '@nestjs/common';
import { register } from 'prom-client';
import { mergeExpositions } from './merge-expositions';

/** How long a scrape waits for one app process's metrics before it leaves them out. */
const UPSTREAM_TIMEOUT_MS = 1000;

/**
 * What `GET /metrics` answers: this process's registry and, on the tracker's edge process, the
 * metrics of every app process behind it (`addUpstream`), each series labelled
 * `process="<app>"`, plus `tracker_process_up{process}` (0 while one is down or restarting).
 * SPEC section 4, Operations: a stopped projection shows in `/metrics` of the tracker port.
 */
@Injectable()
export class MetricsExposition {
  private readonly upstreams = new Map<string, string>();

  /** `baseUrl` serves the process's own `/metrics` (a loopback address). */
  addUpstream(name: string, baseUrl: string): void {
    this.upstreams.set(name, baseUrl);
  }

  async render(): Promise<string> {
    const own = await register.metrics();
    if (this.upstreams.size === 0) return own;
    const fetched = await Promise.all(
      [...this.upstreams].map(async ([name, base]) => ({ name, text: await scrape(base) })),
    );
    const up = [
      '# HELP tracker_process_up 1 when the app process answered this scrape, else 0',
      '# TYPE tracker_process_up gauge',
      ...fetched.map(({ name, text }) => `tracker_process_up{process="${name}"} ${text ? 1 : 0}`),
    ].join('\n');
    return mergeExpositions([
      { text: own },
      { text: up },
      ...fetched
        .filter(({ text }) => text !== null)
        .map(({ name, text }) => ({ text: text!, labels: { process: name } })),
    ]);
  }
}

async function scrape(base: string): Promise<string | null> {
  try {
    const response = await fetch(`${base}/metrics`, {
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}
