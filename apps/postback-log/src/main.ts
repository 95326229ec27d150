import { composeApp, runApp } from '@tracker/platform';
import { PostbackLogModule } from './postback-log.module';

void runApp({
  name: 'postback-log',
  title: 'Tracker postback log',
  module: (config) => composeApp(config, 'postback-log', [PostbackLogModule]),
});
