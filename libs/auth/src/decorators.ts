import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { isActorKind, type ActorKind, type Caller } from './caller.js';

/** Metadata key of `@Actors(...)`; CallerGuard reads it. */
export const ACTORS = 'gm:actors';

/** Metadata key of `@OperatorOnly()`; CallerGuard reads it. */
export const OPERATOR_ONLY = 'gm:operator-only';

/** What CallerGuard leaves on the request. */
export interface RequestWithCaller {
  caller?: Caller;
}

/**
 * Restricts a controller or route to the listed actor kinds (a route's list
 * replaces its controller's). Any other authenticated caller gets 403
 * `actor-not-allowed`. Without it, every authenticated actor is accepted.
 */
export const Actors = (...kinds: ActorKind[]): MethodDecorator & ClassDecorator => {
  if (!kinds.length || !kinds.every(isActorKind)) {
    throw new Error(`@Actors needs one or more of member, patient, system; got [${kinds}]`);
  }
  return SetMetadata(ACTORS, [...new Set(kinds)]);
};

/**
 * Platform operations (ADR 0019): system clients holding the `gm:operator`
 * scope (and on OPERATOR_CLIENT_IDS when that is set). Members and patients
 * get 403 `actor-not-allowed`; any other system client 403 `operator-only`.
 */
export const OperatorOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACTORS, ['system']), SetMetadata(OPERATOR_ONLY, true));

const callerParameter = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  // A public route has no caller: asking for one there is a programming error.
  if (!caller) throw new Error('@CurrentCaller() used on a route without an authenticated caller');
  return caller;
});

/** The verified Caller of the request (CallerGuard put it on `request.caller`). */
export const CurrentCaller = (): ParameterDecorator => callerParameter();
