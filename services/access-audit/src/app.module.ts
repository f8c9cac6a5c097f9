import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from '@gm/auth';
import { DirectoryReplicaModule } from '@gm/directory-replica';
import { InfrastructureModule } from '@gm/service-kit';
import { AccessRecordsModule } from './access-records/access-records.module.js';
import type { ServiceConfig } from './config.js';

@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(config),
        AuthModule.forRoot(config.auth),
        CqrsModule.forRoot(),
        // The audit privilege comes from the member's role in the directory (ADR 0008).
        DirectoryReplicaModule.forRoot(),
        AccessRecordsModule,
      ],
    };
  }
}
