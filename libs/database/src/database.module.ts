import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { databaseReadinessProvider } from './database-readiness';
import { DataSource } from 'typeorm';
import {
  apiDataSourceName,
  apiDataSourceOptions,
  AppDatabaseOptions,
  dataSourceOptions,
  openAppDataSource,
} from './data-source.factory';

/**
 * One data source per app, in the app's own schema, migrated at start; and the app's API data
 * source (`apiDataSourceName(app)`): its own pool, with a statement timeout, for API requests.
 */
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
        TypeOrmModule.forRootAsync({
          name: apiDataSourceName(options.name),
          inject: [TRACKER_CONFIG],
          useFactory: (config: RuntimeConfig) =>
            apiDataSourceOptions(config.databaseUrl, options, config.apiStatementTimeoutMs),
          dataSourceFactory: async (typeormOptions) => {
            if (!typeormOptions) throw new Error(`no API database options for ${options.name}`);
            return new DataSource(typeormOptions).initialize();
          },
        }),
        TypeOrmModule.forFeature(options.entities as never[], options.name),
      ],
      providers: [databaseReadinessProvider(options.name)],
      exports: [TypeOrmModule],
    };
  }
}
