import { DynamicModule, Module, Type } from '@nestjs/common';
import { RuntimeConfig } from '@tracker/config';
import { PlatformModule } from './platform.module';

@Module({})
class AppRootModule {}

/** The root of one process: the platform once, then the feature modules it hosts. */
export function composeApp(
  config: RuntimeConfig,
  appName: string,
  features: Array<Type<unknown> | DynamicModule>,
): DynamicModule {
  return {
    module: AppRootModule,
    imports: [PlatformModule.forRoot(config, appName), ...features],
  };
}
