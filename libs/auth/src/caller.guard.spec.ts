import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ProblemDetailsFilter, PublicRoute } from '@gm/service-kit';
import type { AuthConfig } from './auth-config.js';
import { AuthModule } from './auth.module.js';
import type { Caller } from './caller.js';
import { Actors, CurrentCaller, OperatorOnly } from './decorators.js';
import { mintToken } from './mint-token.js';

const SECRET = 'guard-test-secret-0123456789abcdef-xyz';
const ISSUER = 'gm-test';
const AUDIENCE = 'gm-api';

@Controller('things')
class ThingsController {
  @Get('public')
  @PublicRoute()
  open() {
    return { open: true };
  }

  @Get('me')
  me(@CurrentCaller() caller: Caller) {
    return caller;
  }

  @Get('staff')
  @Actors('member')
  staff(@CurrentCaller() caller: Caller) {
    return { staff: caller.id };
  }

  @Get('staff-or-system')
  @Actors('member', 'system')
  staffOrSystem() {
    return { ok: true };
  }
}

@Controller('mailbox')
@Actors('patient')
class MailboxController {
  @Get()
  list(@CurrentCaller() caller: Caller) {
    return { patient: caller.id };
  }

  @Get('sync')
  @Actors('system')
  sync() {
    return { synced: true };
  }
}

@Controller('operations')
@OperatorOnly()
class OperationsController {
  @Get()
  run(@CurrentCaller() caller: Caller) {
    return { operator: caller.id };
  }
}

@PublicRoute()
@Controller('health')
class HealthController {
  @Get('live')
  live() {
    return { status: 'ok' };
  }
}

async function startApp(config: AuthConfig): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot(config)],
    controllers: [ThingsController, MailboxController, OperationsController, HealthController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new ProblemDetailsFilter());
  await app.init();
  return app;
}

const token = (
  actor: Caller['actor'],
  sub: string,
  options: { expiresIn?: number | string; secret?: string; issuer?: string; scope?: string[] } = {},
) =>
  mintToken(
    options.secret ?? SECRET,
    { sub, practiceId: 'prc_demo', actor },
    {
      issuer: options.issuer ?? ISSUER,
      audience: AUDIENCE,
      expiresIn: options.expiresIn,
      scope: options.scope,
    },
  );

describe('CallerGuard', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startApp({ jwtSecret: SECRET, issuer: ISSUER, audience: AUDIENCE });
  });
  afterAll(() => app.close());

  it('lets public routes and controllers through without a token', async () => {
    await http().get('/things/public').expect(200, { open: true });
    await http().get('/health/live').expect(200, { status: 'ok' });
  });

  it('answers 401 problem+json with a Bearer challenge without a token', async () => {
    const response = await http().get('/things/me').expect(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({
      status: 401,
      code: 'unauthenticated',
      type: 'urn:group-messages:problem:unauthenticated',
      instance: '/things/me',
    });
  });

  it('answers 401 unauthenticated for another scheme', async () => {
    const response = await http()
      .get('/things/me')
      .set('Authorization', 'Basic bWJyOnNlY3JldA==')
      .expect(401);
    expect(response.body.code).toBe('unauthenticated');
  });

  it('answers 401 token-expired for an expired token', async () => {
    const response = await http()
      .get('/things/me')
      .set('Authorization', `Bearer ${await token('member', 'mbr_alice', { expiresIn: -60 })}`)
      .expect(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(response.body).toMatchObject({ status: 401, code: 'token-expired' });
  });

  it.each([
    ['a malformed token', async () => 'not.a.jwt'],
    ['another secret', () => token('member', 'mbr_alice', { secret: `${SECRET}-other` })],
    ['another issuer', () => token('member', 'mbr_alice', { issuer: 'elsewhere' })],
  ])('answers 401 token-invalid for %s', async (_name, make) => {
    const response = await http()
      .get('/things/me')
      .set('Authorization', `Bearer ${await make()}`)
      .expect(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(response.body).toMatchObject({
      code: 'token-invalid',
      detail: 'The bearer token is not valid.',
    });
  });

  it('gives the verified caller to @CurrentCaller(), with any actor by default', async () => {
    for (const [actor, id] of [
      ['member', 'mbr_alice'],
      ['patient', 'pat_bob'],
      ['system', 'svc_ehr'],
    ] as const) {
      await http()
        .get('/things/me')
        .set('Authorization', `bearer ${await token(actor, id)}`)
        .expect(200, { actor, id, practiceId: 'prc_demo' });
    }
  });

  it('answers 403 actor-not-allowed outside a route’s @Actors', async () => {
    const patient = `Bearer ${await token('patient', 'pat_bob')}`;
    const response = await http().get('/things/staff').set('Authorization', patient).expect(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 403, code: 'actor-not-allowed' });
    await http().get('/things/staff-or-system').set('Authorization', patient).expect(403);

    const member = `Bearer ${await token('member', 'mbr_alice')}`;
    await http()
      .get('/things/staff')
      .set('Authorization', member)
      .expect(200, { staff: 'mbr_alice' });
    const system = `Bearer ${await token('system', 'svc_ehr')}`;
    await http().get('/things/staff-or-system').set('Authorization', system).expect(200);
  });

  it('applies a controller’s @Actors, which a route’s @Actors replaces', async () => {
    const patient = `Bearer ${await token('patient', 'pat_bob')}`;
    const member = `Bearer ${await token('member', 'mbr_alice')}`;
    const system = `Bearer ${await token('system', 'svc_ehr')}`;
    await http().get('/mailbox').set('Authorization', patient).expect(200, { patient: 'pat_bob' });
    const denied = await http().get('/mailbox').set('Authorization', member).expect(403);
    expect(denied.body.code).toBe('actor-not-allowed');
    await http().get('/mailbox/sync').set('Authorization', system).expect(200);
    await http().get('/mailbox/sync').set('Authorization', patient).expect(403);
  });
});

describe('CallerGuard on @OperatorOnly routes', () => {
  const operator = ['gm:operator'];

  it('lets a system client with the gm:operator scope in, and nobody else', async () => {
    const app = await startApp({ jwtSecret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    const get = async (authorization: string) =>
      request(app.getHttpServer()).get('/operations').set('Authorization', authorization);
    try {
      const allowed = await get(
        `Bearer ${await token('system', 'ops_oncall', { scope: operator })}`,
      );
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ operator: 'ops_oncall' });

      const practiceClient = await get(`Bearer ${await token('system', 'sys_ehr')}`);
      expect(practiceClient.status).toBe(403);
      expect(practiceClient.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(practiceClient.body).toMatchObject({ status: 403, code: 'operator-only' });
      const otherScope = await get(
        `Bearer ${await token('system', 'sys_ehr', { scope: ['gm:directory', 'openid'] })}`,
      );
      expect(otherScope.body.code).toBe('operator-only');

      for (const actor of ['member', 'patient'] as const) {
        const denied = await get(`Bearer ${await token(actor, 'mbr_alice', { scope: operator })}`);
        expect(denied.status).toBe(403);
        expect(denied.body.code).toBe('actor-not-allowed');
      }
      expect((await get('Bearer nope')).status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('with OPERATOR_CLIENT_IDS, needs the scope and a listed client', async () => {
    const app = await startApp({ jwtSecret: SECRET, operatorClientIds: ['ops_oncall'] });
    const get = async (sub: string, scope?: string[]) =>
      request(app.getHttpServer())
        .get('/operations')
        .set('Authorization', `Bearer ${await token('system', sub, { scope })}`);
    try {
      expect((await get('ops_oncall', operator)).status).toBe(200);
      expect((await get('ops_oncall')).body.code).toBe('operator-only');
      expect((await get('sys_ehr', operator)).body.code).toBe('operator-only');
    } finally {
      await app.close();
    }
  });
});

describe('CallerGuard with an unreachable JWKS', () => {
  it('answers 503, not 401, when keys cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const app = await startApp({
      jwksUrl: `http://127.0.0.1:${port}/jwks`,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    try {
      // Any well-formed RS256-looking token reaches the key set lookup.
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: 'x' })).toString('base64url');
      const response = await request(app.getHttpServer())
        .get('/things/me')
        .set('Authorization', `Bearer ${header}.${payload}.c2ln`)
        .expect(503);
      expect(response.body.code).toBe('authentication-unavailable');
      await request(app.getHttpServer()).get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });
});
