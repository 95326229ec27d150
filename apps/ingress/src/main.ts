import { composeApp, runApp } from '@tracker/platform';
import { IngressModule } from './ingress.module';

void runApp({
  name: 'ingress',
  title: 'Tracker ingress (postbacks, clicks)',
  module: (config) => composeApp(config, 'ingress', [IngressModule]),
});
