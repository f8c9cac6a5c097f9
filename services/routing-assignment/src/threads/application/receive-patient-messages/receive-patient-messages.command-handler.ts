import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { openThread, type RoutingGroup } from '../../domain/thread.js';
import type { PatientMessage } from '../../domain/thread-state.js';
import { GroupQueues } from '../../infrastructure/group-queues.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { ReceivePatientMessageCommand } from '../receive-patient-message/receive-patient-message.command.js';
import {
  isAddressed,
  threadOpening,
  type ThreadOpening,
} from '../receive-patient-message/thread-opening.js';
import { PATIENT_PSEUDONYMS, type PatientPseudonyms } from '../patient-pseudonyms.port.js';
import type { Cause } from '../thread-events.js';
import { ReceivePatientMessagesCommand } from './receive-patient-messages.command.js';

type Received = { message: PatientMessage; cause: Cause };

/**
 * The first messages of threads not stored yet are opened together: each
 * group and the members and care teams they name are read once, and the
 * threads are written by one bulk insert, each thread one document with its
 * events. Everything else (follow-ups, redeliveries, a thread's second
 * message in the same batch, a message that names no recipient, a thread
 * another writer inserted meanwhile) then goes through
 * ReceivePatientMessage one at a time, in the order received.
 */
@CommandHandler(ReceivePatientMessagesCommand)
export class ReceivePatientMessagesCommandHandler implements ICommandHandler<ReceivePatientMessagesCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly relay: OutboxRelayHost,
    private readonly commands: CommandBus,
    private readonly queues: GroupQueues,
    @Inject(PATIENT_PSEUDONYMS) private readonly pseudonyms: PatientPseudonyms,
  ) {}

  async execute({ messages }: ReceivePatientMessagesCommand): Promise<number> {
    const firsts = firstOfEachThread(messages);
    const stored = await this.threads.existing(firsts.map((r) => r.message.threadId));
    const openings = await this.open(firsts.filter((r) => !stored.has(r.message.threadId)));
    const inserted = openings.length ? await this.threads.insertMany(openings) : new Set();
    if (openings.some((o) => inserted.has(o.state.threadId) && o.events.length)) {
      this.relay.nudge();
    }
    const queues = new Map(
      openings
        .filter((o) => inserted.has(o.state.threadId))
        .map(({ state }) => [`${state.practiceId}/${state.groupId}`, state]),
    );
    for (const { practiceId, groupId } of queues.values()) {
      await this.queues.changed(practiceId, groupId);
    }
    const done = new Set(
      firsts.filter((r) => inserted.has(r.message.threadId)).map((r) => r.message),
    );
    for (const { message, cause } of messages) {
      if (!done.has(message)) {
        await this.commands.execute(new ReceivePatientMessageCommand(message, cause));
      }
    }
    return done.size;
  }

  /** Openings of the threads, from one read of their groups and of the facts they name. */
  private async open(received: Received[]): Promise<ThreadOpening[]> {
    const groups = await this.groups(received);
    const now = new Date().toISOString();
    const opened = received.map(({ message, cause }) => {
      const group =
        message.recipientKind === 'group'
          ? (groups.get(`${message.practiceId}/${message.groupId}`) ?? null)
          : null;
      return { cause, workflow: group?.workflow ?? null, opened: openThread(message, group, now) };
    });
    const openings: ThreadOpening[] = [];
    for (const practiceId of new Set(opened.map((o) => o.opened.state.practiceId))) {
      const ofPractice = opened.filter((o) => o.opened.state.practiceId === practiceId);
      const facts = await this.facts.forThreads(
        practiceId,
        ofPractice.map((o) => o.opened.state),
        [],
      );
      ofPractice.forEach((o, i) =>
        openings.push(threadOpening(o.opened, facts[i]!, o.workflow, this.pseudonyms, o.cause)),
      );
    }
    return openings;
  }

  private async groups(received: Received[]): Promise<Map<string, RoutingGroup | null>> {
    const keys = new Map<string, { practiceId: string; groupId: string }>();
    for (const { message } of received) {
      if (message.recipientKind === 'group') {
        keys.set(`${message.practiceId}/${message.groupId}`, {
          practiceId: message.practiceId,
          groupId: message.groupId!,
        });
      }
    }
    const found = await Promise.all(
      [...keys].map(
        async ([key, { practiceId, groupId }]) =>
          [key, await this.facts.routingGroup(practiceId, groupId)] as const,
      ),
    );
    return new Map(found);
  }
}

/** Each thread's first message in the batch, if it is addressed (the rest is taken one at a time). */
function firstOfEachThread(messages: Received[]): Received[] {
  const seen = new Set<string>();
  return messages.filter(({ message }) => {
    if (seen.has(message.threadId)) return false;
    seen.add(message.threadId);
    return isAddressed(message) && !message.followUp;
  });
}
