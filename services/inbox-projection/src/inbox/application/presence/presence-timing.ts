/** The injection token of the service's PresenceTiming (presence-board.ts reads it from the environment). */
export const PRESENCE_TIMING = Symbol('PRESENCE_TIMING');
