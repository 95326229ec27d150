// `npm run replay -- registry` runs dist/apps/registry/replay.js (SPEC section 7).
import { runReplayCli } from '@tracker/replay';
import { registryReplay } from './src/replay/registry.replay';

void runReplayCli(registryReplay());
