import { runService } from '@gm/service-kit';
import { AppModule } from './app.module.js';
import { loadConfig } from './config.js';
import { SERVICE } from './service.js';

await runService(
  () => loadConfig(),
  (config) => AppModule.forConfig(config),
  SERVICE,
);
