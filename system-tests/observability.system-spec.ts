/**
 * Operations from the outside (ADR 0020): a patient's send is one trace in a
 * real OTLP receiver (the run's Jaeger) across the four services it passes
 * through, with no PHI in any span; and every service exposes on `/metrics`
 * the metrics that the alert rules and the dashboard use
 * (deploy/observability/metric-names.mjs), with bounded label values only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_METRICS, METRICS } from '../deploy/observability/metric-names.mjs';
import { call, describeAnswer, type Answer } from './harness/http.js';
import { PORT_BASE, portOf, REPO_ROOT, SERVICE_NAMES, type ServiceName } from './harness/layout.js';
import { phiText, PHI_PREFIX, summarize, world, type World } from './harness/world.js';

let w: World;
beforeAll(() => {
  w = world();
});

interface JaegerTrace {
  traceID: string;
  spans: {
    spanID: string;
    operationName: string;
    processID: string;
    references: { refType: string; spanID: string }[];
    tags: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The trace as Jaeger holds it once `services` all appear in it (30 s bound). */
async function traceSpanning(traceId: string, services: string[]): Promise<JaegerTrace> {
  const deadline = Date.now() + 30_000;
  let last: string;
  for (;;) {
    const answer = await call('GET', `${w.run.jaegerQueryUrl}/api/traces/${traceId}`);
    const found = (answer.json as { data?: JaegerTrace[] } | undefined)?.data?.[0];
    if (found) {
      const seen = new Set(Object.values(found.processes).map((p) => p.serviceName));
      if (services.every((service) => seen.has(service))) return found;
      last = `services ${[...seen].join(', ')}`;
    } else last = describeAnswer(answer);
    if (Date.now() > deadline)
      throw new Error(`trace ${traceId} never spanned ${services}: ${last}`);
    await sleep(250);
  }
}

describe('traces', () => {
  it('a patient send is one trace across messaging-intake, routing-assignment, inbox-projection and access-audit', async () => {
    const { main } = w.run.practices;
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const subject = phiText('subject');
    const body = phiText('body');
    const sent = await call('POST', `${w.urls['messaging-intake']}/threads`, {
      token: await w.tokens.patient(main.practiceId, main.patients.patient!.id),
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
      body: { recipient: { kind: 'group', groupId: main.groupIds.billing! }, subject, body },
    });
    expect(sent.status).toBe(202);

    const services = ['messaging-intake', 'routing-assignment', 'inbox-projection', 'access-audit'];
    const trace = await traceSpanning(traceId, services);
    const serviceOf = (span: JaegerTrace['spans'][number]) =>
      trace.processes[span.processID]!.serviceName;

    // The request's span continues the caller's, and names the route, not the path.
    const server = trace.spans.find(
      (span) =>
        serviceOf(span) === 'messaging-intake' &&
        span.references.some((r) => r.spanID === callerSpan),
    );
    expect(server?.operationName).toBe('POST /threads');
    // Each hop over Kafka: a publish span, and a consumer span that is its child.
    const byId = new Map(trace.spans.map((span) => [span.spanID, span]));
    for (const service of services.slice(1)) {
      const consumed = trace.spans.filter(
        (span) => serviceOf(span) === service && span.operationName.startsWith('process '),
      );
      expect(consumed.length).toBeGreaterThan(0);
      for (const span of consumed) {
        const parent = byId.get(
          span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '',
        );
        expect(parent?.operationName).toMatch(/^publish gm\./);
      }
    }
    // No PHI in any span: neither the subject nor the body went into a name or an attribute.
    const text = JSON.stringify(trace);
    expect(text).not.toContain(subject);
    expect(text).not.toContain(body);
    expect(text).not.toContain(PHI_PREFIX);

    // Log lines written while serving the request name the trace.
    const log = readFileSync(path.join(w.run.runDir, 'messaging-intake.log'), 'utf8');
    expect(log).toContain(`"trace_id":"${traceId}"`);
    summarize(w, `traces: one send, ${trace.spans.length} spans over ${services.length} services`);
  });
});

/** Every series of a scrape: name and labels. */
function seriesOf(text: string): { name: string; labels: Record<string, string> }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line)!;
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[key!] = value!;
      }
      return { name: match[1]!, labels };
    });
}

describe('metrics', () => {
  const scrapes = {} as Record<ServiceName, Answer>;
  beforeAll(async () => {
    // A route with an id in its path, answered 404: counted under its template, the id nowhere.
    const { main } = w.run.practices;
    await call('GET', `${w.urls['routing-assignment']}/threads/thr_metrics_probe/timeline`, {
      token: await w.tokens.member(main.practiceId, main.members.groupAdmin!.id),
    });
    for (const service of SERVICE_NAMES)
      scrapes[service] = await call('GET', `${w.urls[service]}/metrics`);
  });

  it.each(SERVICE_NAMES)('%s exposes every metric the rules and the dashboard use', (service) => {
    const answer = scrapes[service];
    expect(answer.status).toBe(200);
    expect(String(answer.headers.get('content-type'))).toMatch(/^text\/plain; version=0\.0\.4/);
    const declared = new Set(
      [...answer.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`),
    );
    const expected = [...METRICS, ...DEFAULT_METRICS]
      .filter(
        (metric) => !('services' in metric) || (metric.services as string[]).includes(service),
      )
      .map((metric) => `${metric.name} ${metric.type}`);
    expect(expected.filter((metric) => !declared.has(metric))).toEqual([]);
    for (const series of seriesOf(answer.text)) expect(series.labels.service).toBe(service);
  });

  it('label values are bounded: no practice, member, patient, thread or event id, no path', () => {
    const { main, other } = w.run.practices;
    const ids = [
      main.practiceId,
      other.practiceId,
      ...Object.values(main.members).map((m) => m!.id),
      ...Object.values(main.patients).map((p) => p!.id),
    ];
    const values = new Set(
      SERVICE_NAMES.flatMap((service) =>
        seriesOf(scrapes[service].text).flatMap((s) => Object.values(s.labels)),
      ),
    );
    const leaks = [...values].filter(
      (value) =>
        ids.some((id) => value.includes(id)) ||
        /[0-9a-f]{8}-[0-9a-f]{4}-|thr_|msg_|PHIMARK/i.test(value),
    );
    expect(leaks).toEqual([]);
    const routes = [...values].filter((value) => value.startsWith('/'));
    expect(routes.length).toBeGreaterThan(5);
    summarize(
      w,
      `metrics: ${values.size} label values over 7 services, ${routes.length} route templates, no ids`,
    );
  });

  it('hostile requests to /metrics: a query is ignored, another method refused, never a 5xx', async () => {
    const failures: string[] = [];
    for (const service of SERVICE_NAMES) {
      const base = `${w.urls[service]}/metrics`;
      for (const query of ['$where=1', 'name[$ne]=x', '__proto__[a]=1', `q=${'x'.repeat(3000)}`]) {
        const answer = await call('GET', `${base}?${query}`);
        if (
          answer.status !== 200 ||
          !answer.text.includes('# TYPE gm_http_request_duration_seconds')
        )
          failures.push(`${service} ?${query.slice(0, 20)}: ${describeAnswer(answer)}`);
      }
      for (const method of ['POST', 'PUT', 'DELETE'] as const) {
        const answer = await call(method, base, { body: { $where: '1' } });
        if (
          answer.status < 400 ||
          answer.status >= 500 ||
          !/problem\+json/.test(answer.contentType)
        )
          failures.push(`${service} ${method}: ${describeAnswer(answer)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('counts requests by route template, and consumers and outboxes by group, topic and collection', () => {
    const routing = seriesOf(scrapes['routing-assignment'].text);
    expect(
      routing.some(
        (s) =>
          s.name === 'gm_http_request_duration_seconds_count' &&
          s.labels.route === '/threads/:threadId/timeline',
      ),
    ).toBe(true);
    expect(
      routing.some(
        (s) =>
          s.name === 'gm_consumer_event_duration_seconds_count' &&
          s.labels.topic === 'gm.patient-messages' &&
          s.labels.outcome === 'applied',
      ),
    ).toBe(true);
    const intake = seriesOf(scrapes['messaging-intake'].text);
    expect(intake.some((s) => s.name === 'gm_outbox_publish_duration_seconds_count')).toBe(true);
    expect(
      intake.some(
        (s) =>
          s.name === 'gm_http_request_duration_seconds_count' &&
          s.labels.route === '/threads' &&
          s.labels.status === '202',
      ),
    ).toBe(true);
  });
});

describe('Prometheus, for real', () => {
  const port = PORT_BASE + 55;
  let dir: string;
  let prometheus: ChildProcess;

  /** deploy/observability/prometheus.yml, pointed at this run's services, scraping every second. */
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gm-prometheus-'));
    const observability = path.join(REPO_ROOT, 'deploy', 'observability');
    const config = parse(readFileSync(path.join(observability, 'prometheus.yml'), 'utf8'));
    config.global = {
      ...config.global,
      scrape_interval: '1s',
      scrape_timeout: '1s',
      evaluation_interval: '1s',
    };
    config.rule_files = [path.join(observability, 'alerts.yml')];
    config.scrape_configs[0].static_configs = SERVICE_NAMES.map((service) => ({
      targets: [`127.0.0.1:${portOf(service)}`],
      labels: { service },
    }));
    writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', openSync(path.join(dir, 'prometheus.log'), 'w')] },
    );
  });
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Polls `query` until `done` holds for its data (20 s bound). */
  async function until<T>(query: string, done: (data: T) => boolean): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answer = await call('GET', `http://127.0.0.1:${port}/api/v1/${query}`).catch(
        () => undefined,
      );
      const data = (answer?.json as { data?: T } | undefined)?.data;
      if (data !== undefined && done(data)) return data;
      if (Date.now() > deadline) {
        const log = readFileSync(path.join(dir, 'prometheus.log'), 'utf8').slice(-600);
        throw new Error(
          `Prometheus: ${query} never held: ${JSON.stringify(data)?.slice(0, 300)}\n${log}`,
        );
      }
      await sleep(500);
    }
  }

  it('scrapes every service and evaluates every rule of alerts.yml without error', async () => {
    type Targets = { activeTargets: { health: string; labels: { service: string } }[] };
    const targets = await until<Targets>(
      'targets',
      (d) =>
        d.activeTargets.length === SERVICE_NAMES.length &&
        d.activeTargets.every((t) => t.health === 'up'),
    );
    expect(targets.activeTargets.map((t) => t.labels.service).sort()).toEqual(
      [...SERVICE_NAMES].sort(),
    );

    type Rules = { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    const rules = await until<Rules>(
      'rules',
      (d) =>
        d.groups.length > 0 && d.groups.every((g) => g.rules.every((r) => r.health !== 'unknown')),
    );
    const unhealthy = rules.groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok');
    expect(unhealthy).toEqual([]);

    type Vector = { result: { metric: { service: string } }[] };
    const http = await until<Vector>(
      `query?query=${encodeURIComponent('count by (service) (gm_http_request_duration_seconds_count)')}`,
      (d) => d.result.length === SERVICE_NAMES.length,
    );
    expect(http.result.map((r) => r.metric.service).sort()).toEqual([...SERVICE_NAMES].sort());
  }, 60_000);
});
