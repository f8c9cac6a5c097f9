import type { DynamicModule } from '@nestjs/common';
import { bootstrapService, type ServiceDescription } from './bootstrap.js';
import { ConfigError, type InfrastructureConfig } from './config.js';

/**
 * A service's `main`: read and validate configuration (exit 1 naming every
 * bad variable), then start. Nothing else belongs in a main.ts.
 */
export async function runService<C extends InfrastructureConfig>(
  loadConfig: () => C,
  appModule: (config: C) => DynamicModule,
  description: ServiceDescription,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${description.title} cannot start: ${error.message}\n`);
    process.exit(1);
  }
  await bootstrapService(appModule(config), config, description);
}
