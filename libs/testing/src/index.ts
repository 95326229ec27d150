export * from './eventually';
export * from './test-app';
export * from './test-database';
export * from './seed';
export * from './kafka-positions';
export * from './topic-tail';
// Tests and benches take ports from here; local-infra owns the helper (its own specs need it).
export { freePort } from '@tracker/local-infra';
export * from './http-receiver';
export * from './api-client';
