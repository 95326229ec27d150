import { composeApp, runApp } from '@tracker/platform';
import { DispatcherModule } from './dispatcher.module';

void runApp({
  name: 'dispatcher',
  title: 'Tracker dispatcher (outgoing postbacks)',
  module: (config) => composeApp(config, 'dispatcher', [DispatcherModule]),
});
