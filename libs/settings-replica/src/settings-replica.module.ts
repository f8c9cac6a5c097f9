import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { SettingsReplica } from './settings-replica.js';
import { OutOfOfficeReplica } from './out-of-office-replica.js';
import { WorkflowReplica } from './workflow-replica.js';

/** A replica class built on the service's own database (the mongoose connection's). */
function onDatabase<T>(Replica: new (db: Db) => T): Provider {
  return {
    provide: Replica,
    inject: [getConnectionToken()],
    useFactory: (connection: Connection): T => {
      if (!connection.db) throw new Error(`${Replica.name} needs a connected mongoose connection`);
      return new Replica(connection.db);
    },
  };
}

/** Provides the service's SettingsReplica, WorkflowReplica and OutOfOfficeReplica on its own database; feeding it is the service's consumer's job. */
@Global()
@Module({})
export class SettingsReplicaModule implements OnModuleInit {
  constructor(
    @Inject(SettingsReplica) private readonly replica: SettingsReplica,
    @Inject(WorkflowReplica) private readonly workflows: WorkflowReplica,
    @Inject(OutOfOfficeReplica) private readonly absences: OutOfOfficeReplica,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: SettingsReplicaModule,
      providers: [
        onDatabase(SettingsReplica),
        onDatabase(WorkflowReplica),
        onDatabase(OutOfOfficeReplica),
      ],
      exports: [SettingsReplica, WorkflowReplica, OutOfOfficeReplica],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.replica.ensureIndexes();
    await this.workflows.ensureIndexes();
    await this.absences.ensureIndexes();
  }
}
