import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from './logger.js';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
}

/** kafkajs client whose own log lines go through the service's structured logger. */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ level, namespace, log }: LogEntry) => {
        const { message, ...fields } = log;
        const entry = { kafkajs: namespace, ...fields };
        if (level === logLevel.ERROR) logger.error(entry, message);
        else if (level === logLevel.WARN) logger.warn(entry, message);
        else logger.debug(entry, message);
      },
  });
}
