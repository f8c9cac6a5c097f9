import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException, PUBLIC_ROUTE } from '@gm/service-kit';
import type { AuthConfig } from './auth-config.js';
import { isOperator, type ActorKind } from './caller.js';
import { ACTORS, OPERATOR_ONLY, type RequestWithCaller } from './decorators.js';
import { AuthenticationFailed, AuthenticationUnavailable } from './errors.js';
import { AUTH_CONFIG } from './auth-tokens.js';
import { TokenVerifier } from './token-verifier.js';

interface HttpRequest extends RequestWithCaller {
  headers: Record<string, string | string[] | undefined>;
}
interface HttpResponse {
  setHeader(name: string, value: string): unknown;
}

/** RFC 6750: the scheme is case-insensitive; token68 characters only. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const CHALLENGE: Record<AuthenticationFailed['code'], string> = {
  unauthenticated: 'Bearer',
  'token-invalid': 'Bearer error="invalid_token"',
  'token-expired': 'Bearer error="invalid_token", error_description="The token has expired"',
};

/**
 * The global guard (AuthModule registers it as APP_GUARD): every route needs
 * a valid bearer token unless it is marked @PublicRoute(); the verified
 * caller goes on `request.caller`; @Actors(...) restricts the actor kinds.
 * Non-HTTP handlers (RPC, websockets) are refused unless public.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    if (context.getType() !== 'http') return false;

    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();

    let caller;
    try {
      caller = await this.verifier.verify(bearerToken(request));
    } catch (error) {
      if (error instanceof AuthenticationFailed) {
        response.setHeader('WWW-Authenticate', CHALLENGE[error.code]);
        throw new ProblemException(401, error.code, error.message);
      }
      if (error instanceof AuthenticationUnavailable) {
        response.setHeader('Retry-After', '5');
        throw new ProblemException(503, error.code, error.message);
      }
      throw error;
    }
    request.caller = caller;

    const allowed = this.reflector.getAllAndOverride<ActorKind[] | undefined>(ACTORS, targets);
    if (allowed && !allowed.includes(caller.actor)) {
      throw new ProblemException(
        403,
        'actor-not-allowed',
        `This operation is not open to ${caller.actor}s.`,
      );
    }
    if (
      this.reflector.getAllAndOverride<boolean>(OPERATOR_ONLY, targets) &&
      !isOperator(caller, this.config.operatorClientIds)
    ) {
      throw new ProblemException(
        403,
        'operator-only',
        'This operation is open to platform operators only.',
      );
    }
    return true;
  }
}

function bearerToken(request: HttpRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) throw new AuthenticationFailed('unauthenticated');
  return match[1];
}
