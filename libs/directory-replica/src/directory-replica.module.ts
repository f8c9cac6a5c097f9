import { Global, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DirectoryReplica } from './directory-replica.js';

/**
 * Provides the service's DirectoryReplica on @nestjs/mongoose's default
 * connection (the service's own database) to the whole application, and
 * creates its indexes when the module initialises. Feeding it is the
 * service's job: subscribe to DIRECTORY_TOPICS and `apply` what `handles`
 * (`directoryReplicaSubscription` does, when the directory is all it consumes).
 */
@Global()
@Module({})
export class DirectoryReplicaModule implements OnModuleInit {
  constructor(@Inject(DirectoryReplica) private readonly replica: DirectoryReplica) {}

  static forRoot(): DynamicModule {
    return {
      module: DirectoryReplicaModule,
      providers: [
        {
          provide: DirectoryReplica,
          inject: [getConnectionToken()],
          useFactory: (connection: Connection): DirectoryReplica => {
            if (!connection.db) {
              throw new Error('DirectoryReplica needs a connected mongoose connection');
            }
            return new DirectoryReplica(connection.db);
          },
        },
      ],
      exports: [DirectoryReplica],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.replica.ensureIndexes();
  }
}
