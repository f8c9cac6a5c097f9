import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AuthenticationFailed, AuthenticationUnavailable } from './errors.js';
import { mintToken } from './mint-token.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'test-secret-0123456789abcdef-0123456789';
const OTHER_SECRET = 'another-secret-0123456789abcdef-012345';
const claims = { sub: 'mbr_alice', practiceId: 'prc_demo', actor: 'member' as const };
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const encode = (secret: string) => new TextEncoder().encode(secret);

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthenticationFailed);
    return (error as AuthenticationFailed).code;
  }
  throw new Error('expected the token to be rejected');
}

/** A token with arbitrary claims, correctly signed with HS256. */
const signed = (payload: Record<string, unknown>, secret = SECRET) =>
  new SignJWT({ exp: now() + 600, iat: now(), ...payload })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(encode(secret));

describe('TokenVerifier with an HS256 secret', () => {
  const verifier = new TokenVerifier({ jwtSecret: SECRET });

  it('accepts a good token and returns its caller', async () => {
    const token = await mintToken(SECRET, claims);
    await expect(verifier.verify(token)).resolves.toEqual({
      actor: 'member',
      id: 'mbr_alice',
      practiceId: 'prc_demo',
    });
  });

  it('gives the scope claim as scopes, only when there is one', async () => {
    const plain = await verifier.verify(await mintToken(SECRET, claims));
    expect(plain).not.toHaveProperty('scopes');
    const scoped = await verifier.verify(
      await mintToken(SECRET, claims, { scope: ['gm:operator', 'openid', 'gm:operator'] }),
    );
    expect(scoped.scopes).toEqual(['gm:operator', 'openid']);
    expect((await verifier.verify(await signed({ ...claims, scope: '' }))).scopes).toEqual([]);
  });

  it('refuses a scope claim that is not one bounded string', async () => {
    for (const scope of [['gm:operator'], 7, 'x'.repeat(1025), Array(33).fill('s').join(' ')]) {
      expect(await failure(verifier.verify(await signed({ ...claims, scope })))).toBe(
        'token-invalid',
      );
    }
  });

  it('gives the client_id claim as clientId, only when there is one, and refuses a malformed one', async () => {
    expect(await verifier.verify(await mintToken(SECRET, claims))).not.toHaveProperty('clientId');
    const fromApp = await verifier.verify(
      await mintToken(SECRET, claims, { clientId: 'gm-mobile-app' }),
    );
    expect(fromApp.clientId).toBe('gm-mobile-app');
    for (const client_id of ['', 7, ['gm-mobile-app'], 'x'.repeat(129)]) {
      expect(await failure(verifier.verify(await signed({ ...claims, client_id })))).toBe(
        'token-invalid',
      );
    }
  });

  it('says token-expired for an expired token', async () => {
    const token = await mintToken(SECRET, claims, { expiresIn: -60 });
    expect(await failure(verifier.verify(token))).toBe('token-expired');
  });

  it('tolerates 5 seconds of clock skew, not more', async () => {
    await expect(
      verifier.verify(await signed({ ...claims, exp: now() - 2 })),
    ).resolves.toBeDefined();
    expect(await failure(verifier.verify(await signed({ ...claims, exp: now() - 10 })))).toBe(
      'token-expired',
    );
  });

  it('refuses a token without exp', async () => {
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(encode(SECRET));
    expect(await failure(verifier.verify(token))).toBe('token-invalid');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await mintToken(OTHER_SECRET, claims);
    expect(await failure(verifier.verify(token))).toBe('token-invalid');
  });

  it('refuses an unsigned alg:none token', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now() + 600 })}.`;
    expect(await failure(verifier.verify(token))).toBe('token-invalid');
  });

  it('refuses other algorithms, even with the right secret (HS512, RS256)', async () => {
    const hs512 = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime('1h')
      .sign(encode(SECRET));
    expect(await failure(verifier.verify(hs512))).toBe('token-invalid');

    const { privateKey } = await generateKeyPair('RS256');
    const rs256 = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(await failure(verifier.verify(rs256))).toBe('token-invalid');
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await mintToken(SECRET, claims)).split('.');
    const forged = `${header}.${b64({ ...claims, practiceId: 'prc_other', exp: now() + 600 })}.${signature}`;
    expect(await failure(verifier.verify(forged))).toBe('token-invalid');
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['empty', ''],
    ['two parts', 'abc.def'],
    ['oversized', 'a'.repeat(10_000)],
  ])('refuses a malformed token (%s)', async (_name, token) => {
    expect(await failure(verifier.verify(token))).toBe('token-invalid');
  });

  it.each([
    ['actor admin', { ...claims, actor: 'admin' }],
    ['no actor', { sub: 'mbr_alice', practiceId: 'prc_demo' }],
    ['empty sub', { ...claims, sub: '' }],
    ['no sub', { practiceId: 'prc_demo', actor: 'member' }],
    ['numeric sub', { ...claims, sub: 42 }],
    ['sub over 128 characters', { ...claims, sub: 'x'.repeat(129) }],
    ['no practiceId', { sub: 'mbr_alice', actor: 'member' }],
    ['empty practiceId', { ...claims, practiceId: '' }],
    ['practiceId over 128 characters', { ...claims, practiceId: 'p'.repeat(129) }],
    ['practiceId an array', { ...claims, practiceId: ['prc_demo'] }],
  ])('refuses bad claims (%s)', async (_name, payload) => {
    expect(await failure(verifier.verify(await signed(payload)))).toBe('token-invalid');
  });

  it('accepts 128-character identifiers', async () => {
    const long = { ...claims, sub: 's'.repeat(128), practiceId: 'p'.repeat(128) };
    await expect(verifier.verify(await signed(long))).resolves.toMatchObject({ id: long.sub });
  });

  it('never says why a token is invalid', async () => {
    await expect(verifier.verify(await mintToken(OTHER_SECRET, claims))).rejects.toThrow(
      /^The bearer token is not valid\.$/,
    );
  });
});

describe('TokenVerifier with issuer and audience', () => {
  const verifier = new TokenVerifier({ jwtSecret: SECRET, issuer: 'gm-test', audience: 'gm-api' });

  it('accepts the configured issuer and audience', async () => {
    const token = await mintToken(SECRET, claims, { issuer: 'gm-test', audience: 'gm-api' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'mbr_alice' });
  });

  it.each([
    ['wrong issuer', { issuer: 'someone-else', audience: 'gm-api' }],
    ['wrong audience', { issuer: 'gm-test', audience: 'other-api' }],
    ['no issuer', { audience: 'gm-api' }],
    ['no audience', { issuer: 'gm-test' }],
  ])('refuses a %s', async (_name, options) => {
    const token = await mintToken(SECRET, claims, options);
    expect(await failure(verifier.verify(token))).toBe('token-invalid');
  });
});

describe('TokenVerifier configuration', () => {
  it('needs exactly one key source and a long enough secret', () => {
    expect(() => new TokenVerifier({})).toThrow(/exactly one/);
    expect(
      () => new TokenVerifier({ jwtSecret: SECRET, jwksUrl: 'https://idp.example/jwks' }),
    ).toThrow(/exactly one/);
    expect(() => new TokenVerifier({ jwtSecret: 'short' })).toThrow(/32/);
  });
});

describe('mintToken', () => {
  it('refuses a short secret and bad claims', async () => {
    await expect(mintToken('short', claims)).rejects.toThrow(/32/);
    await expect(mintToken(SECRET, { ...claims, actor: 'admin' as never })).rejects.toThrow();
    await expect(mintToken(SECRET, { ...claims, sub: '' })).rejects.toThrow();
  });

  it('sets iat and exp from a time span', async () => {
    const token = await mintToken(SECRET, claims, { expiresIn: '8h' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(8 * 3600);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
  });
});

describe('TokenVerifier with RS256 keys from a JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let jwks: { keys: JWK[] };
  let status = 200;
  let fetches = 0;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    jwks = {
      keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
    };
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const rs256 = (key: CryptoKey, kid: string, payload: Record<string, unknown> = claims) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer('https://idp.test/')
      .setAudience('gm-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  const config = () => ({ jwksUrl, issuer: 'https://idp.test/', audience: 'gm-api' });

  it('accepts a token signed by a published key, fetching the key set once', async () => {
    const verifier = new TokenVerifier(config());
    const before = fetches;
    const token = await rs256(signingKey, 'k1', { ...claims, actor: 'system', sub: 'svc_ehr' });
    await expect(verifier.verify(token)).resolves.toEqual({
      actor: 'system',
      id: 'svc_ehr',
      practiceId: 'prc_demo',
    });
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(fetches - before).toBe(1);
  });

  it('refuses a token signed by another key, with the published kid or another', async () => {
    const verifier = new TokenVerifier(config());
    expect(await failure(verifier.verify(await rs256(strangerKey, 'k1')))).toBe('token-invalid');
    expect(await failure(verifier.verify(await rs256(strangerKey, 'k2')))).toBe('token-invalid');
  });

  it('refuses HS256 tokens (no algorithm confusion with the public key)', async () => {
    const verifier = new TokenVerifier(config());
    const token = await mintToken(SECRET, claims, {
      issuer: 'https://idp.test/',
      audience: 'gm-api',
    });
    expect(await failure(verifier.verify(token))).toBe('token-invalid');
  });

  it('says unavailable, not invalid, when the key set cannot be fetched', async () => {
    status = 500;
    try {
      const verifier = new TokenVerifier(config());
      await expect(verifier.verify(await rs256(signingKey, 'k1'))).rejects.toBeInstanceOf(
        AuthenticationUnavailable,
      );
    } finally {
      status = 200;
    }
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const verifier = new TokenVerifier({ ...config(), jwksUrl: `http://127.0.0.1:${port}/jwks` });
    await expect(verifier.verify(await rs256(signingKey, 'k1'))).rejects.toBeInstanceOf(
      AuthenticationUnavailable,
    );
  });
});
