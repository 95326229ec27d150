import { DatabaseModule } from '@tracker/database';
import { CreatePostbackLog1764100000000 } from './migrations/1764100000000-CreatePostbackLog';
import { SearchWholeUrl1764200000000 } from './migrations/1764200000000-SearchWholeUrl';
import { HashClickIndex1764300000000 } from './migrations/1764300000000-HashClickIndex';
import { ExplainedLogItems1764500000000 } from './migrations/1764500000000-ExplainedLogItems';

/** The app's name: its data source name and the owner of schema `postback_log`. */
export const POSTBACK_LOG_APP = 'postback-log';

export const POSTBACK_LOG_DATABASE = {
  name: POSTBACK_LOG_APP,
  schema: 'postback_log',
  entities: [],
  migrations: [
    CreatePostbackLog1764100000000,
    SearchWholeUrl1764200000000,
    HashClickIndex1764300000000,
    ExplainedLogItems1764500000000,
  ],
};

export const PostbackLogDatabaseModule = DatabaseModule.forApp(POSTBACK_LOG_DATABASE);
