import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from '@gm/auth';
import { InfrastructureModule } from '@gm/service-kit';
import type { ServiceConfig } from './config.js';
import { DirectoryModule } from './directory/directory.module.js';

@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(config),
        AuthModule.forRoot(config.auth),
        CqrsModule.forRoot(),
        DirectoryModule,
      ],
    };
  }
}
