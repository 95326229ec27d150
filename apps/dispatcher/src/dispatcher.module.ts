import { Module } from '@nestjs/common';
import { DatabaseModule } from '@tracker/database';
import { DirectoryModule } from '@tracker/directory';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesQuery } from './deliveries/deliveries.query';
import { DestinationDirectory } from './destinations/destination.directory';
import { CreateDispatcher1764300000000 } from './migrations/1764300000000-CreateDispatcher';
import { DispatcherOutboxRelay } from './outbox/outbox.relay';
import { DeliveryScheduler } from './scheduling/delivery-scheduler';
import { DeliveryWorker } from './sending/delivery-worker';
import { DISPATCHER_DB, DISPATCHER_SCHEMA } from './shared/schema';

/** Outgoing postbacks: deliveries, their sending and retries, and the deliveries log (SPEC §4). */
@Module({
  imports: [
    DirectoryModule,
    DatabaseModule.forApp({
      name: DISPATCHER_DB,
      schema: DISPATCHER_SCHEMA,
      entities: [],
      migrations: [CreateDispatcher1764300000000],
    }),
  ],
  controllers: [DeliveriesController],
  providers: [
    DestinationDirectory,
    DispatcherOutboxRelay,
    DeliveryScheduler,
    DeliveryWorker,
    DeliveriesQuery,
  ],
})
export class DispatcherModule {}
