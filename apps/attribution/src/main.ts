import { composeApp, runApp } from '@tracker/platform';
import { AttributionModule } from './attribution.module';

void runApp({
  name: 'attribution',
  title: 'Tracker attribution (clicks, conversions, funnel)',
  module: (config) => composeApp(config, 'attribution', [AttributionModule]),
});
