/**
 * Mints an HS256 development token and prints it (nothing else):
 *
 *   node --import @swc-node/register/esm-register tools/mint-token.ts \
 *     --actor member --sub mbr_alice --practice prc_demo [--ttl 8h] [--issuer I] [--audience A]
 *     [--scope gm:operator]   (repeatable; an operator's system token, ADR 0019)
 *
 * The secret is AUTH_JWT_SECRET, or the public development default. Issuer and
 * audience default to AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE (set them to what
 * the services verify, e.g. docker-compose's). Production tokens come from the
 * identity provider, verified through AUTH_JWKS_URL.
 */
import { parseArgs } from 'node:util';
import { ACTOR_KINDS, DEVELOPMENT_JWT_SECRET, mintToken, type ActorKind } from '@gm/auth';

const USAGE = `usage: node --import @swc-node/register/esm-register tools/mint-token.ts \\
  --actor member|patient|system --sub <id> --practice <practiceId> [--ttl 8h] \\
  [--issuer <iss>] [--audience <aud>] [--scope <value>]...
  secret: AUTH_JWT_SECRET (default: the development secret)
  --ttl: a time span (30m, 8h, 7d) or seconds; default 8h
  --issuer/--audience: default AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE
  --scope: a scope claim value, repeatable; gm:operator on a system token makes
           a platform operator (POST/GET /admin/rebuild), ADR 0019
`;

function fail(message: string): never {
  process.stderr.write(`mint-token: ${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      actor: { type: 'string' },
      sub: { type: 'string' },
      practice: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      scope: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail((error as Error).message);
}

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const { actor, sub, practice, ttl } = values;
if (!actor || !(ACTOR_KINDS as readonly string[]).includes(actor)) {
  fail(`--actor must be one of ${ACTOR_KINDS.join(', ')}`);
}
if (!sub) fail('--sub is required');
if (!practice) fail('--practice is required');
if (!/^(\d+|-?\d+(\.\d+)? *[a-z]+)$/i.test(ttl)) fail(`--ttl "${ttl}" is not a time span`);

const secret = process.env.AUTH_JWT_SECRET?.trim() || DEVELOPMENT_JWT_SECRET;
try {
  const token = await mintToken(
    secret,
    { actor: actor as ActorKind, sub, practiceId: practice },
    {
      expiresIn: /^\d+$/.test(ttl) ? Number(ttl) : ttl,
      issuer: values.issuer ?? (process.env.AUTH_JWT_ISSUER?.trim() || undefined),
      audience: values.audience ?? (process.env.AUTH_JWT_AUDIENCE?.trim() || undefined),
      scope: values.scope?.flatMap((value) => value.split(' ')).filter(Boolean),
    },
  );
  process.stdout.write(`${token}\n`);
} catch (error) {
  fail((error as Error).message);
}
