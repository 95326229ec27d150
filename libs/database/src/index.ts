export * from './data-source.factory';
export * from './database.module';
export * from './migration-schema';
export * from './storable';
export * from './query-logger';
export * from './page-cursor';
