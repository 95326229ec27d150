import { Module } from '@nestjs/common';
import { AccountDirectory } from './account.directory';
import { AdminTokenGuard, ApiKeyGuard } from './api-key.guard';
import { IntegrationDirectory } from './integration.directory';

/** In-memory views of the registry's compacted topics, shared by every app of a process. */
@Module({
  providers: [AccountDirectory, IntegrationDirectory, ApiKeyGuard, AdminTokenGuard],
  exports: [AccountDirectory, IntegrationDirectory, ApiKeyGuard, AdminTokenGuard],
})
export class DirectoryModule {}
