export * from './health/readiness.registry';
export * from './http/api-exception.filter';
export * from './http/create-http-app';
export * from './infrastructure';
export * from './logging/pino-logger';
export * from './platform.module';
export * from './run-app';
export * from './app-root.module';
