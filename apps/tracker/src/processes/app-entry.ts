import * as path from 'node:path';

/** `apps/` (or `dist/apps/`) as seen from this file: apps/tracker/src/processes. */
const APPS_DIR = path.resolve(__dirname, '../../..');
/** `.js` in the build, `.ts` when the tracker runs from source (tests). */
const EXTENSION = path.extname(__filename);

/** The entry script of an app (`apps/<app>/main`) or of the tracker's edge (`apps/tracker/edge`). */
export function appEntry(app: string, script = 'main'): string {
  return path.join(APPS_DIR, app, `${script}${EXTENSION}`);
}
