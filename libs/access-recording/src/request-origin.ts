import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { MAX_USER_AGENT_LENGTH } from '@gm/contracts';

/** Where a request came from, as the audit trail records it. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** What the origin is read from: an Express request, or anything shaped like one. */
export interface OriginSource {
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}

/** No HTTP request behind the action (a consumer acting on an event). */
export const NO_ORIGIN: RequestOrigin = { ip: null, userAgent: null };

const MAX_IP_LENGTH = 64;

/**
 * The client's address and User-Agent. `request.ip` is Express's: the socket
 * address, or the first untrusted X-Forwarded-For hop when the app's
 * `trust proxy` setting names the proxies in front of it, so a client cannot
 * put another address into the trail by sending the header itself.
 */
export function requestOriginOf(request: OriginSource): RequestOrigin {
  const ip = request.ip ?? request.socket?.remoteAddress ?? null;
  const header = request.headers['user-agent'];
  const userAgent = (Array.isArray(header) ? header[0] : header) ?? null;
  return {
    ip: ip ? ip.slice(0, MAX_IP_LENGTH) : null,
    // Bounded (the contract's limit) and without control characters, so the trail stays printable.
    userAgent: userAgent
      ? // eslint-disable-next-line no-control-regex
        userAgent.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_USER_AGENT_LENGTH) || null
      : null,
  };
}

/** The request's origin, for the audit trail. */
export const Origin = createParamDecorator((_: unknown, context: ExecutionContext): RequestOrigin =>
  requestOriginOf(context.switchToHttp().getRequest<OriginSource>()),
);
