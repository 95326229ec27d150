import { Counter, Histogram, register } from 'prom-client';

function metric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Deliveries scheduled (one per conversion × matching destination). */
export const deliveriesScheduled = metric(
  'tracker_deliveries_scheduled_total',
  () =>
    new Counter({
      name: 'tracker_deliveries_scheduled_total',
      help: 'Outgoing postback deliveries scheduled (conversion x matching destination)',
    }),
);

/** Deliveries that reached a final outcome, by outcome (`delivered`, `failed`). */
export const deliveriesFinished = metric(
  'tracker_deliveries_total',
  () =>
    new Counter({
      name: 'tracker_deliveries_total',
      help: 'Outgoing postback deliveries by final outcome',
      labelNames: ['outcome'],
    }),
);

/** Every attempt, by its outcome (`delivered`, `retrying`, `failed`). */
export const deliveryAttempts = metric(
  'tracker_delivery_attempts_total',
  () =>
    new Counter({
      name: 'tracker_delivery_attempts_total',
      help: 'Outgoing postback attempts by outcome',
      labelNames: ['outcome'],
    }),
);

/** From the conversion's time to its delivery's 2xx. */
export const deliveryLatency = metric(
  'tracker_delivery_latency_seconds',
  () =>
    new Histogram({
      name: 'tracker_delivery_latency_seconds',
      help: 'Conversion time to delivered (2xx), seconds',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    }),
);

/** One HTTP exchange with a destination. */
export const attemptDuration = metric(
  'tracker_delivery_attempt_duration_seconds',
  () =>
    new Histogram({
      name: 'tracker_delivery_attempt_duration_seconds',
      help: 'Duration of one outgoing postback attempt, seconds',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);
