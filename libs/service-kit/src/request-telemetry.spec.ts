import { Controller, Get, type INestApplication, Module, Param, Sse } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { recordSpans } from '@gm/testing';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { register } from 'prom-client';
import { of, type Observable } from 'rxjs';
import request from 'supertest';
import { configureHttp } from './bootstrap.js';
import { ConfigReader, readInfrastructureConfig } from './config.js';

const exporter = recordSpans();

const HISTOGRAM = 'gm_http_request_duration_seconds';
const TEMPLATE = '/v1/things/:thingId';
/** An id no label or series may ever show: ids make unbounded label values. */
const DISTINCTIVE_ID = 'thg_distinctive_4711';

@Controller('v1/things')
class ThingsController {
  @Get(':thingId')
  get(@Param('thingId') thingId: string) {
    return { thingId };
  }

  @Get(':thingId/broken')
  broken(): never {
    throw new Error('the store fell over');
  }

  @Sse(':thingId/events')
  events(): Observable<{ data: string }> {
    return of({ data: 'hello' });
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

let app: INestApplication;

beforeAll(async () => {
  const config = readInfrastructureConfig(new ConfigReader({}), {
    serviceName: 'things',
    port: 4999,
    database: 'things',
  });
  const moduleRef = await Test.createTestingModule({ imports: [ThingsModule] }).compile();
  app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  configureHttp(app, config, { title: 'Things', description: 'Telemetry under test' });
  await app.init();
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  exporter.reset();
  register.resetMetrics();
});

const http = () => request(app.getHttpServer());

interface Series {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The histogram's `_count` series, one per label set. */
async function counts(): Promise<Series[]> {
  const metric = register.getSingleMetric(HISTOGRAM);
  if (!metric) throw new Error(`${HISTOGRAM} is not registered`);
  const { values } = (await metric.get()) as { values: Series[] };
  return values.filter((series) => series.metricName === `${HISTOGRAM}_count`);
}

/** The response's `close` (where the middleware records) may come just after the client has it. */
async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean) {
  const deadline = Date.now() + 2000;
  let value = await probe();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = await probe();
  }
  return value;
}

const countOf = async (labels: Record<string, string>) =>
  (await counts())
    .filter((series) => Object.entries(labels).every(([k, v]) => series.labels[k] === v))
    .reduce((sum, series) => sum + series.value, 0);

const serverSpans = (): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);

const spansEventually = (n: number) => eventually(serverSpans, (spans) => spans.length >= n);

describe('requestTelemetry', () => {
  it('labels the histogram with the route template, never the id in the path', async () => {
    await http().get(`/v1/things/${DISTINCTIVE_ID}`).expect(200, { thingId: DISTINCTIVE_ID });
    await http().get('/v1/things/another-one').expect(200);

    expect(
      await eventually(
        () => countOf({ method: 'GET', route: TEMPLATE, status: '200' }),
        (n) => n === 2,
      ),
    ).toBe(2);
    const text = (await http().get('/metrics').expect(200)).text;
    expect(text).toContain(`route="${TEMPLATE}"`);
    expect(text).not.toContain(DISTINCTIVE_ID);
    expect(text).not.toContain('another-one');
    for (const series of await counts()) {
      expect(Object.values(series.labels).map(String)).not.toContain(DISTINCTIVE_ID);
    }
  });

  it('counts an unknown path as route "unmatched" with status 404', async () => {
    await http().get(`/v2/nowhere/${DISTINCTIVE_ID}`).expect(404);

    expect(
      await eventually(
        () => countOf({ method: 'GET', route: 'unmatched', status: '404' }),
        (n) => n === 1,
      ),
    ).toBe(1);
    const [span] = await spansEventually(1);
    expect(span!.name).toBe('GET unmatched');
    expect(span!.attributes['http.route']).toBe('unmatched');
    const text = (await http().get('/metrics')).text;
    expect(text).not.toContain(DISTINCTIVE_ID);
    expect(text).not.toContain('/v2/nowhere');
  });

  it('counts a failed request with status "500" and marks its span an error', async () => {
    await http().get('/v1/things/t1/broken').expect(500);

    expect(
      await eventually(
        () => countOf({ method: 'GET', route: `${TEMPLATE}/broken`, status: '500' }),
        (n) => n === 1,
      ),
    ).toBe(1);
    const [span] = await spansEventually(1);
    expect(span!.name).toBe(`GET ${TEMPLATE}/broken`);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['http.response.status_code']).toBe(500);
  });

  it("continues the caller's trace in a SERVER span named by the route, without the query string", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parentSpanId = 'b7ad6b7169203331';
    await http()
      .get(`/v1/things/${DISTINCTIVE_ID}?q=secret-search`)
      .set('traceparent', `00-${traceId}-${parentSpanId}-01`)
      .expect(200);

    const spans = await spansEventually(1);
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.name).toBe(`GET ${TEMPLATE}`);
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': TEMPLATE,
      'http.response.status_code': 200,
      'url.path': `/v1/things/${DISTINCTIVE_ID}`,
    });
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    for (const value of Object.values(span.attributes)) {
      expect(String(value)).not.toContain('secret-search');
    }
    expect(span.name).not.toContain('secret-search');
  });

  it('starts a new trace when the caller sends none', async () => {
    await http().get('/v1/things/t2').expect(200);
    const [span] = await spansEventually(1);
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('serves /metrics in the Prometheus text format, without a span', async () => {
    const response = await http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).toContain(`# TYPE ${HISTOGRAM} histogram`);
    // Another request's span would have ended by now; /metrics makes none.
    await http().get('/v1/things/t3').expect(200);
    const spans = await spansEventually(1);
    expect(spans.map((span) => span.name)).toEqual([`GET ${TEMPLATE}`]);
  });

  it('leaves an event stream out of the histogram', async () => {
    const response = await http().get('/v1/things/t4/events').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.text).toContain('data: hello');
    await http().get('/v1/things/t4').expect(200);

    expect(
      await eventually(
        () => countOf({ route: TEMPLATE, status: '200' }),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect(await countOf({ route: `${TEMPLATE}/events` })).toBe(0);
    expect((await http().get('/metrics')).text).not.toContain(`route="${TEMPLATE}/events"`);
  });
});
