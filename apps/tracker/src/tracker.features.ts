import { AttributionModule } from '../../attribution/src/attribution.module';
import { DispatcherModule } from '../../dispatcher/src/dispatcher.module';
import { IngressModule } from '../../ingress/src/ingress.module';
import { PostbackLogModule } from '../../postback-log/src/postback-log.module';
import { RegistryModule } from '../../registry/src/registry.module';
import { ConsoleModule } from './console/console.module';

/**
 * The all-in-one process hosts every app's module unchanged; this is the only file allowed
 * to reach into other apps (enforced by .dependency-cruiser.js), and only their modules.
 * The tracker itself adds the web console at `/` (SPEC section 4, Console).
 */
export const TRACKER_FEATURES = [
  RegistryModule,
  IngressModule,
  PostbackLogModule,
  AttributionModule,
  DispatcherModule,
  ConsoleModule,
];

/**
 * What the edge process hosts when the tracker runs as several processes: the public edge
 * (postback endpoint, click redirect) and the console's static files, so no projection shares
 * its event loop.
 */
export const EDGE_FEATURES = [IngressModule, ConsoleModule];
