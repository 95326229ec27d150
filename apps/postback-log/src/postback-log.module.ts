import { Module } from '@nestjs/common';
import { DirectoryModule } from '@tracker/directory';
import { PostbackLogDatabaseModule } from './postback-log.database';
import { PostbackLogProjection } from './projection/postback-log.projection';
import { PostbackLogController } from './query/postback-log.controller';
import { PostbackLogReader } from './query/postback-log.reader';

/** The postback log: a projection of postbacks and their outcomes, and its read API. */
@Module({
  imports: [DirectoryModule, PostbackLogDatabaseModule],
  controllers: [PostbackLogController],
  providers: [PostbackLogProjection, PostbackLogReader],
  exports: [PostbackLogProjection],
})
export class PostbackLogModule {}
