// The build emits dist/apps/tracker/main.js from here (SPEC section 6: npm start runs it).
import { runTracker } from './src/run-tracker';

void runTracker();
