import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from '@gm/auth';
import { DirectoryReplicaModule } from '@gm/directory-replica';
import { InfrastructureModule } from '@gm/service-kit';
import { SettingsReplicaModule } from '@gm/settings-replica';
import type { ServiceConfig } from './config.js';
import { ThreadsModule } from './threads/threads.module.js';

@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(config),
        AuthModule.forRoot(config.auth),
        CqrsModule.forRoot(),
        DirectoryReplicaModule.forRoot(),
        SettingsReplicaModule.forRoot(),
        ThreadsModule.forRoot(config.analyticsPatientKey),
      ],
    };
  }
}
