import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AuthConfig } from './auth-config.js';
import { AUTH_CONFIG } from './auth-tokens.js';
import { CallerGuard } from './caller.guard.js';
import { TokenVerifier } from './token-verifier.js';

export { AUTH_CONFIG };

/**
 * Global: provides TokenVerifier and makes CallerGuard the guard of every
 * route of the application (opt out with service-kit's @PublicRoute()).
 */
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: TokenVerifier, useFactory: () => new TokenVerifier(config) },
        CallerGuard,
        { provide: APP_GUARD, useExisting: CallerGuard },
      ],
      exports: [AUTH_CONFIG, TokenVerifier, CallerGuard],
    };
  }
}
