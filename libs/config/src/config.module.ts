import { DynamicModule, Global, Module } from '@nestjs/common';
import { RuntimeConfig } from './env-schema';

export const TRACKER_CONFIG = Symbol('TRACKER_CONFIG');

/** Makes the validated runtime configuration injectable everywhere as TRACKER_CONFIG. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RuntimeConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: TRACKER_CONFIG, useValue: config }],
      exports: [TRACKER_CONFIG],
    };
  }
}
