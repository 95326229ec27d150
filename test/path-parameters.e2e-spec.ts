/**
 * SPEC section 9: any byte in a path parameter is decoded as data (invalid UTF-8 as U+FFFD,
 * as queries are) and matched as data; only a parameter failing its own format is a `400`
 * naming it in `field`; a well-formed id that is not there is `404`; never a `5xx`. The
 * tracker answers the same as one process (TRACKER_PROCESSES=single) and as an edge process
 * proxying to the app processes (TRACKER_PROCESSES=multi), and `/docs-json` says so: every
 * operation with a format-checked path parameter documents that 400 and the 404, both with the
 * error body's schema.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { apiClient, createTestDatabase } from '@tracker/testing';
import { AppProcess } from './support/app-process';

const ADMIN_TOKEN = `admin-${randomBytes(12).toString('hex')}`;

interface Answer {
  status: number;
  field?: string;
}

interface Parameter {
  name: string;
  in: string;
  schema?: { pattern?: string; example?: string };
}

interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: unknown }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** What a documented error answer's body is: the SPEC section 4 error schema. */
const ERROR_BODY = {
  'application/json': { schema: { $ref: '#/components/schemas/ApiErrorBody' } },
};

describe.each(['single', 'multi'])('path parameters, TRACKER_PROCESSES=%s', (mode) => {
  let tracker: AppProcess;
  let key: string;
  let integrationId: string;

  const api = apiClient(
    () => tracker.baseUrl,
    () => key,
  );

  /** The status and, when the body names one, the field; a non-JSON answer has no field. */
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token: string = key,
  ): Promise<Answer> => {
    const answer = await api(method, path, { body, key: token });
    return typeof answer.body?.field === 'string'
      ? { status: answer.status, field: answer.body.field }
      : { status: answer.status };
  };

  beforeAll(async () => {
    tracker = await AppProcess.start(`tracker-${mode}`, {
      app: 'tracker',
      databaseUrl: await createTestDatabase(`path_params_${mode}`),
      groupPrefix: `test.path-params.${mode}.${randomBytes(4).toString('hex')}`,
      adminToken: ADMIN_TOKEN,
      env: { TRACKER_PROCESSES: mode, KAFKA_SESSION_TIMEOUT_MS: '6000' },
    });
    const account = await api<{ apiKey: string }>('POST', '/api/accounts', {
      body: { name: `Paths ${mode}` },
      key: ADMIN_TOKEN,
    });
    key = account.body.apiKey;
    const integration = await api<{ id: string }>('POST', '/api/integrations', {
      body: { template: 'pocket-option-revshare' },
    });
    integrationId = integration.body.id;
  }, 180_000);

  afterAll(async () => {
    await tracker?.stop();
  });

  it('decodes every byte as data: 400 naming a parameter that fails its format, 404 for an absent one', async () => {
    const unknown = randomUUID();
    const bad = ['%FF', '%00', '%C0%AF', '%E2%82', '%ED%A0%80', '%ZZ', '%', 'a%2Fb', 'x%FFy'];
    const cases: Array<[method: string, path: string, expected: Answer]> = [];
    for (const value of bad) {
      cases.push(
        ['GET', `/api/integrations/${value}`, { status: 400, field: 'id' }],
        ['PATCH', `/api/integrations/${value}`, { status: 400, field: 'id' }],
        ['DELETE', `/api/integrations/${value}`, { status: 400, field: 'id' }],
        ['GET', `/api/integrations/${value}/events`, { status: 400, field: 'id' }],
        ['GET', `/api/integrations/${value}/registration-links`, { status: 400, field: 'id' }],
        [
          'DELETE',
          `/api/integrations/${integrationId}/events/${value}`,
          { status: 400, field: 'name' },
        ],
        [
          'DELETE',
          `/api/integrations/${integrationId}/registration-links/${value}`,
          { status: 400, field: 'linkId' },
        ],
        ['GET', `/api/destinations/${value}`, { status: 400, field: 'id' }],
        ['DELETE', `/api/destinations/${value}`, { status: 400, field: 'id' }],
        ['DELETE', `/api/api-keys/${value}`, { status: 400, field: 'id' }],
        ['GET', `/api/deliveries/${value}`, { status: 400, field: 'id' }],
        ['GET', `/api/postback-logs/${value}`, { status: 400, field: 'id' }],
        ['GET', `/api/clicks/${value}`, { status: 400, field: 'clickId' }],
        // Public routes keep their SPEC answers: an unknown link or integration is 404.
        ['GET', `/r/${value}`, { status: 404 }],
        ['GET', `/api/postbacks/${value}/tracker-postback?tracker.event=x`, { status: 404 }],
      );
    }
    cases.push(
      ['GET', `/api/integrations/${unknown}`, { status: 404 }],
      ['GET', `/api/integrations/${unknown.toUpperCase()}`, { status: 404 }],
      ['GET', `/api/integrations/${unknown}/events`, { status: 404 }],
      ['DELETE', `/api/integrations/${integrationId}/events/no.such-event`, { status: 404 }],
      [
        'DELETE',
        `/api/integrations/${integrationId}/registration-links/abcdefghij123456`,
        { status: 404 },
      ],
      ['GET', `/api/destinations/${unknown}`, { status: 404 }],
      ['DELETE', `/api/api-keys/${unknown}`, { status: 404 }],
      ['GET', `/api/deliveries/${unknown}`, { status: 404 }],
      ['GET', `/api/postback-logs/${unknown}`, { status: 404 }],
      ['GET', '/api/clicks/abcdefghij12', { status: 404 }],
      // Long values are data too: the route's own 400, never the router's 414.
      ['GET', `/api/clicks/${'a'.repeat(1000)}`, { status: 400, field: 'clickId' }],
      ['GET', `/api/integrations/${'a'.repeat(1000)}`, { status: 400, field: 'id' }],
      ['GET', `/r/${'a'.repeat(1000)}`, { status: 404 }],
      // A percent-encoded id is the same id: decoded, then matched.
      [
        'GET',
        `/api/integrations/%${integrationId.charCodeAt(0).toString(16)}${integrationId.slice(1)}`,
        { status: 200 },
      ],
    );
    const answers: Array<[string, Answer]> = [];
    for (const [method, path, expected] of cases) {
      const answer = await call(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      answers.push([`${method} ${path}`, answer]);
      void expected;
    }
    expect(answers).toEqual(
      cases.map(([method, path, expected]) => [`${method} ${path}`, expected]),
    );
  }, 120_000);

  it('documents that 400 in /docs-json for every path parameter with a format, and answers it', async () => {
    const docs = (await (await fetch(`${tracker.baseUrl}/docs-json`)).json()) as OpenApiDocument;
    expect(docs.components.schemas.ApiErrorBody).toMatchObject({
      type: 'object',
      required: ['statusCode', 'message'],
      properties: {
        statusCode: { type: 'integer' },
        message: { type: 'string' },
        field: { type: 'string' },
      },
    });
    const documented: Array<[string, unknown]> = [];
    const answered: Array<[string, Answer]> = [];
    const unformatted: Array<[string, unknown]> = [];
    for (const [route, item] of Object.entries(docs.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const params = (operation.parameters ?? []).filter((p) => p.in === 'path');
        if (params.length === 0) continue;
        const name = `${method} ${route}`;
        const errors = {
          400: operation.responses['400']?.content,
          404: operation.responses['404']?.content,
        };
        if (params.some((p) => p.schema?.pattern === undefined)) {
          unformatted.push([name, errors]);
          continue;
        }
        const wellFormed = new Map(params.map((p) => [p.name, p.schema?.example ?? '']));
        const examplesFit = params.every((p) =>
          new RegExp(p.schema!.pattern!).test(p.schema!.example ?? ''),
        );
        documented.push([name, { ...errors, examplesFit }]);
        // Each parameter in turn fails its format while the others are well-formed.
        for (const param of params) {
          const path = route.replace(/\{(\w+)\}/g, (_, placeholder: string) =>
            placeholder === param.name ? '%FF' : encodeURIComponent(wellFormed.get(placeholder)!),
          );
          const body = ['post', 'patch', 'put'].includes(method) ? {} : undefined;
          const token = route.startsWith('/api/accounts/') ? ADMIN_TOKEN : key;
          // fetch leaves a lower-case 'patch' as it is, which no server takes for PATCH.
          answered.push([
            `${name} ${param.name}`,
            await call(method.toUpperCase(), path, body, token),
          ]);
        }
      }
    }
    expect(documented.length).toBeGreaterThanOrEqual(20);
    expect(documented).toEqual(
      documented.map(([name]) => [name, { 400: ERROR_BODY, 404: ERROR_BODY, examplesFit: true }]),
    );
    expect(answered).toEqual(
      answered.map(([name]) => [name, { status: 400, field: name.split(' ').at(-1) }]),
    );
    // Only the public partner and visitor URLs take any value: a malformed id there is the
    // SPEC's 404 (section 4), so they document no 400.
    const postback = '/api/postbacks/{integrationId}/tracker-postback';
    expect(unformatted.map(([name]) => name).sort()).toEqual(
      [`get ${postback}`, `options ${postback}`, `post ${postback}`, 'get /r/{linkId}'].sort(),
    );
    expect(unformatted).toEqual(
      unformatted.map(([name]) => [name, { 400: undefined, 404: ERROR_BODY }]),
    );
  }, 120_000);
});
