// `npm run replay -- attribution` runs dist/apps/attribution/replay.js (SPEC section 7).
import { runReplayCli } from '@tracker/replay';
import { attributionReplay } from './src/replay/attribution.replay';

void runReplayCli(attributionReplay());
