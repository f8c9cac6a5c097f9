import { describeServiceConventions } from '@gm/testing';
import { AppModule } from './app.module.js';
import { loadConfig } from './config.js';
import { SERVICE } from './service.js';

describeServiceConventions({
  description: SERVICE,
  loadConfig,
  appModule: (c) => AppModule.forConfig(c),
});
