// Jest globalSetup for the `integration` project: makes sure the native local
// stack (Kafka, FerretDB, Redis; deploy/local/stack.sh) answers before tests
// run. Reuses running servers, otherwise runs `stack.sh up`. It never stops the
// stack: CI (or the developer) runs `stack.sh down` when done.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const host = '127.0.0.1';

function ports() {
  const env = process.env;
  return {
    kafka: Number(env.GM_KAFKA_PORT || 9092),
    mongodb: Number(env.GM_MONGO_PORT || 27017),
    redis: Number(env.GM_REDIS_PORT || 6379),
  };
}

function answers(port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function down(p) {
  const checks = await Promise.all(
    Object.entries(p).map(async ([name, port]) => [name, await answers(port)]),
  );
  return checks.filter(([, ok]) => !ok).map(([name]) => `${name} (${host}:${p[name]})`);
}

export default async function stackGlobalSetup() {
  const p = ports();
  process.env.KAFKA_BROKERS ??= `${host}:${p.kafka}`;
  process.env.MONGODB_URI ??= `mongodb://${host}:${p.mongodb}`;
  process.env.REDIS_URL ??= `redis://${host}:${p.redis}`;

  let missing = await down(p);
  if (missing.length === 0) return;

  console.log(`\n[stack] not answering: ${missing.join(', ')}; running deploy/local/stack.sh up`);
  try {
    execFileSync('bash', ['deploy/local/stack.sh', 'up'], { cwd: repoRoot, stdio: 'inherit' });
  } catch (err) {
    throw new Error(
      `[stack] 'bash deploy/local/stack.sh up' failed (${err.message}); see its output above`,
      { cause: err },
    );
  }
  missing = await down(p);
  if (missing.length > 0) {
    throw new Error(`[stack] still not answering after stack.sh up: ${missing.join(', ')}`);
  }
}
