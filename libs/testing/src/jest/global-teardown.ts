/** Stops only what global-setup started itself; a broker someone else runs stays up. */
export default async function globalTeardown(): Promise<void> {
  const stops =
    (globalThis as { __trackerInfraStops?: Array<() => Promise<void>> }).__trackerInfraStops ?? [];
  for (const stop of stops.reverse()) await stop();
}
