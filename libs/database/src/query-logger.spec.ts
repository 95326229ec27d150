import { QueryErrorLogger } from './query-logger';

describe('QueryErrorLogger (SPEC section 9: no secrets in logs)', () => {
  it('logs a failed query without its parameters', () => {
    const lines: string[] = [];
    const sink = {
      error: (line: string) => lines.push(line),
      warn: (line: string) => lines.push(line),
      log: (line: string) => lines.push(line),
    };
    const logger = new QueryErrorLogger(sink as never);
    logger.logQueryError(
      new Error('unsupported Unicode escape sequence'),
      'INSERT INTO registry.api_keys (hash)\n   VALUES ($1)',
      ['b3f1c0ffee-secret-key-hash'],
    );
    expect(lines).toEqual([
      'query failed: unsupported Unicode escape sequence (query: INSERT INTO registry.api_keys (hash) VALUES ($1))',
    ]);
    expect(lines.join('\n')).not.toContain('secret');
  });
});
