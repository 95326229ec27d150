import { composeApp, runApp } from '@tracker/platform';
import { TRACKER_FEATURES } from './tracker.features';

void runApp({
  name: 'tracker',
  title: 'Postback tracker',
  module: (config) => composeApp(config, 'tracker', TRACKER_FEATURES),
});
