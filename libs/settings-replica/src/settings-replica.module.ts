import { Global, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { SettingsReplica } from './settings-replica.js';

/** Provides the service's SettingsReplica on its own database; feeding it is the service's consumer's job. */
@Global()
@Module({})
export class SettingsReplicaModule implements OnModuleInit {
  constructor(@Inject(SettingsReplica) private readonly replica: SettingsReplica) {}

  static forRoot(): DynamicModule {
    return {
      module: SettingsReplicaModule,
      providers: [
        {
          provide: SettingsReplica,
          inject: [getConnectionToken()],
          useFactory: (connection: Connection): SettingsReplica => {
            if (!connection.db)
              throw new Error('SettingsReplica needs a connected mongoose connection');
            return new SettingsReplica(connection.db);
          },
        },
      ],
      exports: [SettingsReplica],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.replica.ensureIndexes();
  }
}
