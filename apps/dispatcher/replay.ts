// `npm run replay -- dispatcher` runs dist/apps/dispatcher/replay.js (SPEC section 7).
import { runReplayCli } from '@tracker/replay';
import { dispatcherReplay } from './src/replay/dispatcher.replay';

void runReplayCli(dispatcherReplay());
