import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { databaseReadinessProvider } from './database-readiness';
import { AppDatabaseOptions, dataSourceOptions, openAppDataSource } from './data-source.factory';

/** One data source per app, in the app's own schema, migrated at start. */
@Module({})
export class DatabaseModule {
  static forApp(options: AppDatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          name: options.name,
          inject: [TRACKER_CONFIG],
          useFactory: (config: RuntimeConfig) => dataSourceOptions(config.databaseUrl, options),
          dataSourceFactory: async (typeormOptions) => {
            if (!typeormOptions) throw new Error(`no database options for ${options.name}`);
            const url = (typeormOptions as { url: string }).url;
            return openAppDataSource(url, options);
          },
        }),
        TypeOrmModule.forFeature(options.entities as never[], options.name),
      ],
      providers: [databaseReadinessProvider(options.name)],
      exports: [TypeOrmModule],
    };
  }
}
