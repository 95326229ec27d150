// The build emits dist/apps/tracker/edge.js: the public-port process of the multi-process tracker.
import './src/edge-main';
