export * from './account.directory';
export * from './api-key-hash';
export * from './api-key.guard';
export * from './directory.module';
export * from './integration.directory';
