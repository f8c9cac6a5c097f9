#!/usr/bin/env node
/**
 * Static consistency check of the deployment files against the code, with no Docker and no
 * cluster: every folder in services/ has a docker-compose.yml service (built from
 * deploy/docker/service.Dockerfile with its SERVICE and PORT) and a deploy/k8s/services/
 * manifest, both with the port and database of its src/service.ts; every environment name
 * they set is one the code reads; the probes hit the health endpoints; kustomization.yaml
 * lists existing files. Exits 1 naming every mismatch; prints
 * `manifests: N services consistent` otherwise.
 *
 *   node deploy/check-manifests.mjs
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOCKERFILE = 'deploy/docker/service.Dockerfile';
const COMPOSE = 'docker-compose.yml';
const K8S = 'deploy/k8s';
const INFRASTRUCTURE = ['kafka', 'mongo', 'redis'];
/** Set in the manifests but not read through the service config (runtime, or read soon). */
const EXTRA_ENV = [
  'NODE_ENV',
  'NODE_OPTIONS',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
];
/** What a service cannot run without, wherever it is deployed. */
const REQUIRED_ENV = ['PORT', 'MONGODB_URI', 'MONGODB_DATABASE', 'KAFKA_BROKERS', 'REDIS_URL'];

const problems = [];
const problem = (where, message) => problems.push(`${where}: ${message}`);

const read = (path) => readFileSync(join(ROOT, path), 'utf8');
const exists = (path) => existsSync(join(ROOT, path));

/** All documents of a YAML file (merge keys on, as Docker Compose reads them); null if unreadable. */
function loadYaml(path) {
  if (!exists(path)) {
    problem(path, 'missing');
    return null;
  }
  const docs = parseAllDocuments(read(path), { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const errors = list.flatMap((doc) => doc.errors);
  if (errors.length) {
    for (const error of errors) problem(path, `YAML: ${error.message.split('\n')[0]}`);
    return null;
  }
  return list.map((doc) => doc.toJS({ maxAliasCount: 1000 })).filter((doc) => doc != null);
}

function walk(dir, keep) {
  if (!exists(dir)) return [];
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory())
      return name === 'node_modules' || name === 'dist' ? [] : walk(path, keep);
    return keep(path) ? [path] : [];
  });
}

// --- What the code says ------------------------------------------------------------------

/** services/<name>/src/service.ts: the service's name, default port and database. */
function readServices() {
  return readdirSync(join(ROOT, 'services'))
    .filter((name) => statSync(join(ROOT, 'services', name)).isDirectory())
    .sort()
    .flatMap((folder) => {
      const file = `services/${folder}/src/service.ts`;
      if (!exists(file)) {
        problem(`services/${folder}`, 'no src/service.ts (name, port, database)');
        return [];
      }
      const text = read(file);
      const port = /\bport:\s*(\d+)/.exec(text)?.[1];
      const database = /\bdatabase:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
      const name = /\bname:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
      if (!port) problem(file, 'no `port: <number>` found');
      if (!database) problem(file, "no `database: '<name>'` found");
      if (name && name !== folder)
        problem(file, `name '${name}' differs from its folder '${folder}'`);
      return port && database ? [{ name: folder, port, database }] : [];
    });
}

/** Environment names the code reads: ConfigReader calls and process.env, outside tests. */
function readEnvNames() {
  const names = new Set(EXTRA_ENV);
  const sources = [...walk('libs', isSource), ...walk('services', isSource)];
  for (const file of sources) {
    const text = read(file);
    for (const pattern of [
      /\breader\.\w+\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
      /\bprocess\.env\.([A-Z][A-Z0-9_]*)/g,
      /\bprocess\.env\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
    ]) {
      for (const match of text.matchAll(pattern)) names.add(match[1]);
    }
  }
  return names;
}

function isSource(path) {
  return /\/src\/.*\.ts$/.test(path) && !/\.(spec|int-spec|fixture)\.ts$/.test(path);
}

function checkEnvNames(where, names, known) {
  for (const name of names) {
    if (!known.has(name)) problem(where, `sets ${name}, which no code reads (typo?)`);
  }
}

// --- Dockerfile ----------------------------------------------------------------------------

function checkDockerfile() {
  if (!exists(DOCKERFILE)) return problem(DOCKERFILE, 'missing');
  const text = read(DOCKERFILE);
  for (const needed of [
    /^ARG SERVICE\b/m,
    /^ARG PORT\b/m,
    /^EXPOSE \$\{PORT\}/m,
    /\/health\/live/,
    /^CMD \["node", "dist\/main\.js"\]/m,
  ]) {
    if (!needed.test(text)) problem(DOCKERFILE, `expected a line matching ${needed}`);
  }
}

// --- docker-compose.yml --------------------------------------------------------------------

/** Compose `environment` as a map, from either the map or the list form. */
function composeEnv(environment) {
  if (!environment) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((item) => {
        const [key, ...value] = String(item).split('=');
        return [key, value.join('=')];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, value == null ? '' : String(value)]),
  );
}

/** [hostPort, containerPort] of a compose `ports` entry (short or long syntax). */
function composePort(entry) {
  if (typeof entry === 'object') return [String(entry.published ?? ''), String(entry.target ?? '')];
  const parts = String(entry).split('/')[0].split(':');
  return [parts.at(-2) ?? '', parts.at(-1)];
}

function healthcheckText(healthcheck) {
  const test = healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : String(test ?? '');
}

function checkCompose(services, knownEnv) {
  const docs = loadYaml(COMPOSE);
  if (!docs) return;
  const all = docs[0]?.services ?? {};
  const names = new Set(services.map((service) => service.name));

  for (const infra of INFRASTRUCTURE) {
    if (!all[infra]) problem(COMPOSE, `no '${infra}' service`);
    else if (!all[infra].healthcheck)
      problem(COMPOSE, `'${infra}' has no healthcheck (services wait for service_healthy)`);
  }

  for (const [name, definition] of Object.entries(all)) {
    const dockerfile = definition?.build?.dockerfile;
    if (dockerfile && dockerfile.replace(/^\.\//, '') === DOCKERFILE && !names.has(name)) {
      problem(
        `${COMPOSE} services.${name}`,
        `built from ${DOCKERFILE} but there is no services/${name}/src/service.ts`,
      );
    }
  }

  for (const { name, port, database } of services) {
    const where = `${COMPOSE} services.${name}`;
    const definition = all[name];
    if (!definition) {
      problem(COMPOSE, `no service '${name}' (services/${name} exists)`);
      continue;
    }
    const build = definition.build ?? {};
    if ((build.dockerfile ?? '').replace(/^\.\//, '') !== DOCKERFILE)
      problem(where, `build.dockerfile must be ${DOCKERFILE}`);
    if ((build.context ?? '.').replace(/\/$/, '') !== '.')
      problem(where, 'build.context must be the repository root (.)');
    const args = composeEnv(build.args);
    if (args.SERVICE !== name)
      problem(where, `build.args.SERVICE is '${args.SERVICE ?? ''}', expected '${name}'`);
    if (args.PORT !== port)
      problem(where, `build.args.PORT is '${args.PORT ?? ''}', expected '${port}'`);

    const env = composeEnv(definition.environment);
    if (env.PORT !== port)
      problem(where, `environment.PORT is '${env.PORT ?? ''}', expected '${port}'`);
    if (env.MONGODB_DATABASE !== database)
      problem(
        where,
        `environment.MONGODB_DATABASE is '${env.MONGODB_DATABASE ?? ''}', expected '${database}'`,
      );
    for (const required of REQUIRED_ENV)
      if (!env[required]) problem(where, `environment.${required} is not set`);
    if (!env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL)
      problem(where, 'environment sets neither AUTH_JWT_SECRET nor AUTH_JWKS_URL');
    checkEnvNames(where, Object.keys(env), knownEnv);

    const published = (definition.ports ?? []).map(composePort);
    if (!published.some(([host, container]) => host === port && container === port))
      problem(where, `ports must publish ${port}:${port}`);

    const dependsOn = definition.depends_on ?? {};
    for (const infra of INFRASTRUCTURE) {
      const condition = Array.isArray(dependsOn) ? undefined : dependsOn[infra]?.condition;
      if (condition !== 'service_healthy')
        problem(where, `depends_on.${infra}.condition must be service_healthy`);
    }
    if (!healthcheckText(definition.healthcheck).includes('/health/ready'))
      problem(where, 'healthcheck must call /health/ready');
  }
}

// --- deploy/k8s ----------------------------------------------------------------------------

const matches = (selector, labels) =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

function checkK8s(services, knownEnv) {
  // Every YAML file under deploy/k8s parses.
  const parsed = new Map();
  for (const file of walk(K8S, (path) => /\.ya?ml$/.test(path))) parsed.set(file, loadYaml(file));

  const kustomizationFile = `${K8S}/kustomization.yaml`;
  const kustomization = parsed.get(kustomizationFile)?.[0];
  const resources = kustomization?.resources ?? [];
  if (!kustomization) problem(kustomizationFile, 'missing or unreadable');
  for (const resource of resources) {
    if (!exists(`${K8S}/${resource}`))
      problem(kustomizationFile, `lists ${resource}, which does not exist`);
  }
  if (resources.includes('secrets.example.yaml'))
    problem(kustomizationFile, 'must not list secrets.example.yaml (an example)');
  for (const file of parsed.keys()) {
    const resource = relative(join(ROOT, K8S), join(ROOT, file));
    const isExtra = ['kustomization.yaml', 'secrets.example.yaml'].includes(resource);
    if (!isExtra && !resources.includes(resource))
      problem(kustomizationFile, `does not list ${resource}`);
  }

  // Shared settings: the ConfigMap and the (example) Secret the Deployments read.
  const objects = [...parsed.values()].flatMap((docs) => docs ?? []);
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata?.name, o]),
  );
  const secrets = new Map(
    objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata?.name, o]),
  );
  for (const [name, map] of configMaps)
    checkEnvNames(`${K8S} ConfigMap ${name}`, Object.keys(map.data ?? {}), knownEnv);
  for (const [name, secret] of secrets) {
    checkEnvNames(
      `${K8S} Secret ${name}`,
      Object.keys({ ...secret.data, ...secret.stringData }),
      knownEnv,
    );
  }

  for (const { name, port, database } of services) {
    const file = `${K8S}/services/${name}.yaml`;
    if (!parsed.has(file)) {
      problem(file, `missing (services/${name} exists)`);
      continue;
    }
    const docs = parsed.get(file);
    if (!docs) continue; // unreadable: already reported
    const find = (kind) => docs.find((doc) => doc.kind === kind && doc.metadata?.name === name);
    const deployment = find('Deployment');
    const service = find('Service');
    const pdb = find('PodDisruptionBudget');
    if (!deployment) problem(file, `no Deployment named ${name}`);
    if (!service) problem(file, `no Service named ${name}`);
    if (!pdb) problem(file, `no PodDisruptionBudget named ${name}`);
    if (!deployment) continue;

    const where = `${file} Deployment`;
    const pod = deployment.spec?.template ?? {};
    const podLabels = pod.metadata?.labels ?? {};
    if (!matches(deployment.spec?.selector?.matchLabels, podLabels))
      problem(where, 'selector does not match the pod labels');
    if (!((deployment.spec?.replicas ?? 1) >= 2)) problem(where, 'needs at least 2 replicas');
    const containers = pod.spec?.containers ?? [];
    if (containers.length !== 1) {
      problem(where, `expected one container, found ${containers.length}`);
      continue;
    }
    const [container] = containers;
    const httpPort = (container.ports ?? []).find((p) => p.name === 'http');
    if (String(httpPort?.containerPort) !== port)
      problem(where, `containerPort 'http' is ${httpPort?.containerPort}, expected ${port}`);

    const env = Object.fromEntries(
      (container.env ?? []).map((item) => [
        item.name,
        item.value == null ? undefined : String(item.value),
      ]),
    );
    if (env.PORT !== port) problem(where, `env PORT is '${env.PORT ?? ''}', expected '${port}'`);
    if (env.MONGODB_DATABASE !== database)
      problem(
        where,
        `env MONGODB_DATABASE is '${env.MONGODB_DATABASE ?? ''}', expected '${database}'`,
      );
    checkEnvNames(where, Object.keys(env), knownEnv);

    // Everything the pod gets: its own env plus the ConfigMaps and Secrets it loads.
    const available = new Set(Object.keys(env));
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) {
        const map = configMaps.get(source.configMapRef.name);
        if (!map)
          problem(
            where,
            `envFrom ConfigMap '${source.configMapRef.name}' is not defined under ${K8S}`,
          );
        for (const key of Object.keys(map?.data ?? {})) available.add(key);
      }
      if (source.secretRef) {
        const secret = secrets.get(source.secretRef.name);
        if (!secret)
          problem(where, `envFrom Secret '${source.secretRef.name}' has no example under ${K8S}`);
        for (const key of Object.keys({ ...secret?.data, ...secret?.stringData }))
          available.add(key);
      }
    }
    for (const required of REQUIRED_ENV)
      if (!available.has(required)) problem(where, `${required} is not provided (env or envFrom)`);
    if (!available.has('AUTH_JWKS_URL') && !available.has('AUTH_JWT_SECRET'))
      problem(where, 'neither AUTH_JWKS_URL nor AUTH_JWT_SECRET is provided');
    // Without an HS256 secret to derive it from, the services refuse to start without it (ADR 0018).
    if (available.has('AUTH_JWKS_URL') && !available.has('CONSISTENCY_TOKEN_SECRET'))
      problem(where, 'AUTH_JWKS_URL without CONSISTENCY_TOKEN_SECRET');

    const probePort = (probe) => probe?.httpGet?.port;
    const portMatches = (value) => value === 'http' || String(value) === port;
    for (const [probe, path] of [
      ['readinessProbe', '/health/ready'],
      ['livenessProbe', '/health/live'],
    ]) {
      if (container[probe]?.httpGet?.path !== path) problem(where, `${probe} must GET ${path}`);
      if (!portMatches(probePort(container[probe])))
        problem(where, `${probe} port must be 'http' or ${port}`);
    }
    const security = { ...pod.spec?.securityContext, ...container.securityContext };
    if (security.runAsNonRoot !== true) problem(where, 'securityContext.runAsNonRoot must be true');
    if (container.securityContext?.readOnlyRootFilesystem !== true)
      problem(where, 'securityContext.readOnlyRootFilesystem must be true');

    if (service) {
      const servicePort = (service.spec?.ports ?? [])[0];
      if (!matches(service.spec?.selector, podLabels))
        problem(`${file} Service`, 'selector does not match the pod labels');
      if (!portMatches(servicePort?.targetPort))
        problem(`${file} Service`, `targetPort must be 'http' or ${port}`);
      if (String(servicePort?.port) !== port)
        problem(`${file} Service`, `port is ${servicePort?.port}, expected ${port}`);
    }
    if (pdb && !matches(pdb.spec?.selector?.matchLabels, podLabels))
      problem(`${file} PodDisruptionBudget`, 'selector does not match the pod labels');
  }
}

// --- Run -----------------------------------------------------------------------------------

const services = readServices();
const knownEnv = readEnvNames();
if (!services.length) problem('services/', 'no service found');
checkDockerfile();
checkCompose(services, knownEnv);
checkK8s(services, knownEnv);

if (problems.length) {
  console.error(`manifests: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log(`manifests: ${services.length} services consistent`);
