import { composeApp, runApp } from '@tracker/platform';
import { RegistryModule } from './registry.module';

void runApp({
  name: 'registry',
  title: 'Tracker registry (accounts, integrations, links)',
  module: (config) => composeApp(config, 'registry', [RegistryModule]),
});
