import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  DocumentBuilder,
  OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import {
  API_ERROR_SCHEMA_NAME,
  documentErrorAnswers,
  NOT_FOUND_DESCRIPTION,
} from './openapi-errors';
import { EventNameParam, UuidParam } from './path-params';

const ERROR_REF = { $ref: `#/components/schemas/${API_ERROR_SCHEMA_NAME}` };
const ERROR_CONTENT = { 'application/json': { schema: ERROR_REF } };

@Controller('things')
class ThingsController {
  @Get(':id')
  one(@UuidParam('id') id: string): string {
    return id;
  }

  @Get(':id/parts/:name')
  @ApiBadRequestResponse({ description: 'limit is invalid (named).' })
  @ApiNotFoundResponse({ description: 'No such thing or part.' })
  part(@UuidParam('id') id: string, @EventNameParam('name') name: string): string {
    return `${id}/${name}`;
  }

  // A public route whose malformed ids are a 404 (as /r/{linkId}): no format, no 400.
  @Get('public/:token')
  @ApiNotFoundResponse({ description: 'Unknown token.' })
  open(@Param('token') token: string): string {
    return token;
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

/** The document as createHttpApp builds it, from real Nest routes and decorators. */
async function buildDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(ThingsModule, new FastifyAdapter(), {
    logger: false,
  });
  try {
    return documentErrorAnswers(
      SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('t').build()),
    );
  } finally {
    await app.close();
  }
}

describe('documentErrorAnswers: the error answers of every route, said once (SPEC 4, 9)', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    document = await buildDocument();
  });

  it('documents a format-checked path parameter: pattern, example, the 400 and the 404', () => {
    const operation = document.paths['/things/{id}'].get!;
    expect(operation.parameters).toEqual([
      expect.objectContaining({
        name: 'id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({
          pattern: expect.any(String),
          format: 'uuid',
          example: expect.any(String),
        }),
      }),
    ]);
    expect(operation.responses['400']).toEqual({
      description: "The path parameter 'id' fails its format (see its pattern); field names it.",
      content: ERROR_CONTENT,
    });
    expect(operation.responses['404']).toEqual({
      description: NOT_FOUND_DESCRIPTION,
      content: ERROR_CONTENT,
    });
    const schema = document.components?.schemas?.[API_ERROR_SCHEMA_NAME];
    expect(schema).toMatchObject({
      required: ['statusCode', 'message'],
      properties: {
        statusCode: { type: 'integer' },
        message: { type: 'string' },
        field: { type: 'string' },
      },
    });
  });

  it("keeps a route's own 400 and 404, adding the path parameters to its 400", () => {
    const operation = document.paths['/things/{id}/parts/{name}'].get!;
    expect(operation.responses['400']).toEqual({
      description:
        "limit is invalid (named). The path parameter 'id' or 'name' fails its format " +
        '(see its pattern); field names it.',
      content: ERROR_CONTENT,
    });
    expect(operation.responses['404']).toEqual({
      description: 'No such thing or part.',
      content: ERROR_CONTENT,
    });
  });

  it('adds no 400 for a path parameter without a format, yet gives its 404 the error body', () => {
    const operation = document.paths['/things/public/{token}'].get!;
    expect(operation.responses['400']).toBeUndefined();
    expect(operation.responses['404']).toEqual({
      description: 'Unknown token.',
      content: ERROR_CONTENT,
    });
  });

  it('changes nothing when applied again (app processes and the tracker edge both apply it)', () => {
    expect(documentErrorAnswers(document)).toEqual(document);
  });

  it('keeps an error answer that already declares a body', () => {
    const own = { 'application/json': { schema: { type: 'object' } } };
    const input: OpenAPIObject = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: { '/x': { get: { responses: { '409': { description: 'Taken.', content: own } } } } },
    };
    const output = documentErrorAnswers(input);
    expect(output.paths['/x'].get!.responses['409']).toEqual({
      description: 'Taken.',
      content: own,
    });
    expect(input.components).toBeUndefined();
  });
});
