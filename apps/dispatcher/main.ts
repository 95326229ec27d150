// The build emits dist/apps/dispatcher/main.js from here (SPEC section 6: node dist/apps/<app>/main.js).
import './src/main';
