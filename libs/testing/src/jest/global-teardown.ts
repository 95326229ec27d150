import { infra } from './global-setup';

/** Stops what global-setup started, once, after the last project (int, e2e) of the run. */
export default async function globalTeardown(): Promise<void> {
  const stops = infra().__trackerInfraStops ?? [];
  infra().__trackerInfraStops = [];
  for (const stop of stops.reverse()) await stop();
}
