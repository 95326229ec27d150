export * from './conversion-fields';
export * from './create-event';
export * from './envelope';
export * from './event-schemas';
export * from './events';
export * from './integration-templates';
export * from './form-decoding';
// Schema fragments stay internal: names like `uuid` or `clickId` would clash in callers.
export { JSON_SCHEMA_DIALECT, type JsonSchema } from './json-schema';
export * from './postback-body';
export * from './postback-params';
export * from './postback-checks';
export * from './postback-reading';
export * from './postback-values';
export * from './topics';
export * from './uuid';
export * from './validation';
export * from './vocabulary';
export * from './write-schemas';
