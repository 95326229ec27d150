// `npm run replay -- postback-log` runs dist/apps/postback-log/replay.js (SPEC section 7).
import { runReplayCli } from '@tracker/replay';
import { postbackLogReplay } from './src/replay/postback-log.replay';

void runReplayCli(postbackLogReplay());
