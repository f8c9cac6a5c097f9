#!/usr/bin/env node
/**
 * Static consistency check of the deployment files against the code, with no Docker and no
 * cluster: every folder in services/ has a docker-compose.yml service (built from
 * deploy/docker/service.Dockerfile with its SERVICE and PORT) and a deploy/k8s/base/services/
 * manifest, both with the port and database of its src/service.ts; every environment name
 * they set is one the code reads; the probes hit the health endpoints; every
 * kustomization.yaml (base and overlays) lists existing files, every file of its folder, no
 * example Secret and generates no Secret; the production overlay gives each service one
 * autoscaler, and a consumer's never more replicas than its topics have partitions. Exits 1
 * naming every mismatch; prints `manifests: N services consistent` otherwise. (Schema
 * validation of the rendered overlays: deploy/k8s/validate.sh.)
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
/** The kustomize base: the manifests of every service; overlays/<env> patch it. */
const BASE = `${K8S}/base`;
const PRODUCTION = `${K8S}/overlays/production`;
const TOPICS_FILE = 'libs/contracts/src/topics.ts';
const INFRASTRUCTURE = ['kafka', 'mongo', 'redis'];
/** Set in the manifests but not read through the service config (runtime, or read soon). */
const EXTRA_ENV = [
  'NODE_ENV',
  'NODE_OPTIONS',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
  'OPERATOR_CLIENT_IDS',
  // Read by the OpenTelemetry SDK itself (the standard variables), not through ConfigReader.
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_RESOURCE_ATTRIBUTES',
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

/** The files a kustomization names: resources, components, patch and generator files. */
function kustomizationFiles(kustomization) {
  const patches = [
    ...(kustomization.patches ?? []),
    ...(kustomization.patchesStrategicMerge ?? []),
    ...(kustomization.patchesJson6902 ?? []),
  ];
  return [
    ...(kustomization.resources ?? []),
    ...(kustomization.components ?? []),
    ...patches.map((patch) => (typeof patch === 'string' ? patch : patch?.path)),
    ...(kustomization.configMapGenerator ?? []).flatMap((generator) =>
      (generator.files ?? []).map((file) => String(file).replace(/^[^=]*=/, '')),
    ),
  ].filter((entry) => typeof entry === 'string');
}

function checkKustomizations(parsed) {
  const files = [...parsed.keys()];
  const kustomizations = files.filter((file) => /(^|\/)kustomization\.ya?ml$/.test(file));
  for (const required of [BASE, `${K8S}/overlays/development`, PRODUCTION]) {
    if (!kustomizations.includes(`${required}/kustomization.yaml`))
      problem(`${required}/kustomization.yaml`, 'missing');
  }
  const kustomizationDirs = kustomizations.map((file) => dirname(file));
  for (const file of kustomizations) {
    const kustomization = parsed.get(file)?.[0];
    if (!kustomization) {
      problem(file, 'unreadable');
      continue;
    }
    const dir = dirname(file);
    const listed = kustomizationFiles(kustomization);
    for (const entry of listed) {
      const path = join(dir, entry);
      if (!exists(path)) problem(file, `lists ${entry}, which does not exist`);
      else if (statSync(join(ROOT, path)).isDirectory() && !exists(`${path}/kustomization.yaml`))
        problem(file, `lists ${entry}, a folder without a kustomization.yaml`);
    }
    if (listed.some((entry) => entry.endsWith('secrets.example.yaml')))
      problem(file, 'must not list secrets.example.yaml (an example)');
    // Real secrets come from the secret store, never from the repository.
    if (kustomization.secretGenerator)
      problem(file, 'must not generate Secrets (secretGenerator): they come from the secret store');
    // Every YAML file of its folder (below it, up to a nested kustomization) is used.
    for (const other of files) {
      if (other === file || !other.startsWith(`${dir}/`)) continue;
      const owner = kustomizationDirs
        .filter((d) => other.startsWith(`${d}/`))
        .sort((a, b) => b.length - a.length)[0];
      if (owner !== dir) continue;
      const entry = relative(join(ROOT, dir), join(ROOT, other));
      if (entry === 'secrets.example.yaml') continue;
      if (!listed.includes(entry)) problem(file, `does not list ${entry}`);
    }
  }
  // What kustomize would put in the cluster must hold no Secret with values.
  for (const [file, docs] of parsed) {
    if (file.endsWith('secrets.example.yaml')) continue;
    for (const doc of docs ?? []) {
      if (doc.kind === 'Secret' && (doc.data || doc.stringData))
        problem(
          file,
          `Secret ${doc.metadata?.name} with values: secrets come from the secret store`,
        );
    }
  }
}

/** Partitions of every topic of libs/contracts/src/topics.ts, by name. */
function readTopicPartitions() {
  if (!exists(TOPICS_FILE)) {
    problem(TOPICS_FILE, 'missing');
    return new Map();
  }
  const partitions = new Map();
  for (const match of read(TOPICS_FILE).matchAll(/name:\s*'([^']+)'[^}]*?partitions:\s*(\d+)/g))
    partitions.set(match[1], Number(match[2]));
  if (!partitions.size) problem(TOPICS_FILE, 'no `name: ..., partitions: N` found');
  return partitions;
}

/** Production: one autoscaler per service; a consumer's bounded by its topics' partitions. */
function checkAutoscaling(services, parsed) {
  const docs = [...parsed.entries()]
    .filter(([file]) => file.startsWith(`${PRODUCTION}/`))
    .flatMap(([, list]) => list ?? []);
  const partitions = readTopicPartitions();
  for (const { name } of services) {
    const where = `${PRODUCTION} ${name}`;
    const hpas = docs.filter(
      (doc) =>
        doc.kind === 'HorizontalPodAutoscaler' &&
        doc.spec?.scaleTargetRef?.kind === 'Deployment' &&
        doc.spec?.scaleTargetRef?.name === name,
    );
    const scaled = docs.filter(
      (doc) =>
        doc.kind === 'ScaledObject' &&
        (doc.spec?.scaleTargetRef?.kind ?? 'Deployment') === 'Deployment' &&
        doc.spec?.scaleTargetRef?.name === name,
    );
    if (hpas.length + scaled.length !== 1)
      problem(
        where,
        `needs exactly one autoscaler (HPA or KEDA ScaledObject), found ${hpas.length} HPA(s) and ${scaled.length} ScaledObject(s)`,
      );
    for (const object of scaled) {
      const kafka = (object.spec?.triggers ?? []).filter((trigger) => trigger.type === 'kafka');
      if (!kafka.length) problem(`${where} ScaledObject`, 'has no kafka trigger');
      if (!(object.spec?.triggers ?? []).some((trigger) => trigger.type === 'cpu'))
        problem(`${where} ScaledObject`, 'has no cpu trigger (its HTTP side)');
      let most = 0;
      for (const trigger of kafka) {
        const metadata = trigger.metadata ?? {};
        if (metadata.consumerGroup !== name)
          problem(`${where} ScaledObject`, `kafka trigger consumerGroup must be '${name}'`);
        if (!partitions.has(metadata.topic))
          problem(
            `${where} ScaledObject`,
            `kafka trigger topic '${metadata.topic}' is not in ${TOPICS_FILE}`,
          );
        most = Math.max(most, partitions.get(metadata.topic) ?? 0);
      }
      const max = object.spec?.maxReplicaCount;
      if (kafka.length && !(max <= most))
        problem(
          `${where} ScaledObject`,
          `maxReplicaCount ${max} exceeds the partitions of its topics (${most}): extra consumers would idle`,
        );
    }
  }
}

/** Mebibytes of a Kubernetes memory quantity (Mi, Gi, M, G or bytes). */
function mebibytes(quantity) {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(String(quantity ?? ''));
  if (!match) return undefined;
  const factor = {
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    k: 1e3 / 2 ** 20,
    M: 1e6 / 2 ** 20,
    G: 1e9 / 2 ** 20,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]] : 1 / 2 ** 20);
}

function checkK8s(services, knownEnv) {
  // Every YAML file under deploy/k8s parses.
  const parsed = new Map();
  for (const file of walk(K8S, (path) => /\.ya?ml$/.test(path))) parsed.set(file, loadYaml(file));
  checkKustomizations(parsed);
  checkAutoscaling(services, parsed);

  // Shared settings: the ConfigMap and the (example) Secret the Deployments read, from the
  // base (the overlays' ConfigMaps are patches of it, checked for their names only).
  const objects = [...parsed.entries()]
    .filter(([file]) => file.startsWith(`${BASE}/`))
    .flatMap(([, docs]) => docs ?? []);
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata?.name, o]),
  );
  const secrets = new Map(
    objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata?.name, o]),
  );
  for (const [file, docs] of parsed) {
    for (const map of (docs ?? []).filter((o) => o.kind === 'ConfigMap'))
      checkEnvNames(
        `${file} ConfigMap ${map.metadata?.name}`,
        Object.keys(map.data ?? {}),
        knownEnv,
      );
  }
  for (const [name, secret] of secrets) {
    checkEnvNames(
      `${BASE} Secret ${name}`,
      Object.keys({ ...secret.data, ...secret.stringData }),
      knownEnv,
    );
  }

  for (const { name, port, database } of services) {
    const file = `${BASE}/services/${name}.yaml`;
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
    const networkPolicy = find('NetworkPolicy');
    if (!deployment) problem(file, `no Deployment named ${name}`);
    if (!service) problem(file, `no Service named ${name}`);
    if (!pdb) problem(file, `no PodDisruptionBudget named ${name}`);
    if (!networkPolicy) problem(file, `no NetworkPolicy named ${name} (ingress to its port)`);
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
            `envFrom ConfigMap '${source.configMapRef.name}' is not defined under ${BASE}`,
          );
        for (const key of Object.keys(map?.data ?? {})) available.add(key);
      }
      if (source.secretRef) {
        const secret = secrets.get(source.secretRef.name);
        if (!secret)
          problem(where, `envFrom Secret '${source.secretRef.name}' has no example under ${BASE}`);
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
    // routing-assignment's analytics patient keys, likewise (ADR 0024).
    if (
      where.includes('routing-assignment') &&
      available.has('AUTH_JWKS_URL') &&
      !available.has('ANALYTICS_PATIENT_KEY')
    )
      problem(where, 'AUTH_JWKS_URL without ANALYTICS_PATIENT_KEY');

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
    if (!container.startupProbe?.httpGet) problem(where, 'needs an HTTP startupProbe');
    const security = { ...pod.spec?.securityContext, ...container.securityContext };
    if (security.runAsNonRoot !== true) problem(where, 'securityContext.runAsNonRoot must be true');
    if (!Number.isInteger(security.runAsUser) || !Number.isInteger(security.runAsGroup))
      problem(where, 'securityContext needs a numeric runAsUser and runAsGroup');
    if (security.seccompProfile?.type !== 'RuntimeDefault')
      problem(where, 'securityContext.seccompProfile.type must be RuntimeDefault');
    if (container.securityContext?.readOnlyRootFilesystem !== true)
      problem(where, 'securityContext.readOnlyRootFilesystem must be true');
    if (container.securityContext?.allowPrivilegeEscalation !== false)
      problem(where, 'securityContext.allowPrivilegeEscalation must be false');
    if (!(container.securityContext?.capabilities?.drop ?? []).includes('ALL'))
      problem(where, 'securityContext.capabilities.drop must include ALL');
    if (pod.spec?.automountServiceAccountToken !== false)
      problem(where, 'automountServiceAccountToken must be false (no service calls the API)');
    const limit = mebibytes(container.resources?.limits?.memory);
    const request = mebibytes(container.resources?.requests?.memory);
    const heap = Number(/--max-old-space-size=(\d+)/.exec(env.NODE_OPTIONS ?? '')?.[1]);
    if (!limit || !request) problem(where, 'needs memory requests and limits');
    else if (!heap)
      problem(where, 'NODE_OPTIONS needs --max-old-space-size (below the memory limit)');
    else if (heap >= limit)
      problem(where, `--max-old-space-size=${heap} is not below the memory limit (${limit} MiB)`);

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
    if (networkPolicy) {
      const where = `${file} NetworkPolicy`;
      if (!matches(networkPolicy.spec?.podSelector?.matchLabels, podLabels))
        problem(where, 'podSelector does not match the pod labels');
      const ports = (networkPolicy.spec?.ingress ?? []).flatMap((rule) => rule.ports ?? []);
      if (!ports.some((p) => portMatches(p.port)))
        problem(where, `no ingress rule for port ${port} (or 'http')`);
    }
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
