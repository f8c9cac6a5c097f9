import { Global, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { SettingsReplica } from './settings-replica.js';
import { WorkflowReplica } from './workflow-replica.js';

/** Provides the service's SettingsReplica and WorkflowReplica on its own database; feeding it is the service's consumer's job. */
@Global()
@Module({})
export class SettingsReplicaModule implements OnModuleInit {
  constructor(
    @Inject(SettingsReplica) private readonly replica: SettingsReplica,
    @Inject(WorkflowReplica) private readonly workflows: WorkflowReplica,
  ) {}

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
        {
          provide: WorkflowReplica,
          inject: [getConnectionToken()],
          useFactory: (connection: Connection): WorkflowReplica => {
            if (!connection.db)
              throw new Error('WorkflowReplica needs a connected mongoose connection');
            return new WorkflowReplica(connection.db);
          },
        },
      ],
      exports: [SettingsReplica, WorkflowReplica],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.replica.ensureIndexes();
    await this.workflows.ensureIndexes();
  }
}
