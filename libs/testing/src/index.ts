export * from './eventually';
export * from './test-app';
export * from './test-database';
export * from './seed';
export * from './kafka-positions';
export * from './topic-tail';
