import { storableJson, storableParameter, storableString, storableText } from './storable';

describe('storable values (SPEC section 9: U+FFFD in read models)', () => {
  it('replaces NUL in text and leaves other text as it is', () => {
    expect(storableText('a\0b\0')).toBe('a\ufffdb\ufffd');
    const plain = 'plain ü 😀';
    expect(storableText(plain)).toBe(plain);
  });

  it('makes strings as stored: NUL and lone surrogates become U+FFFD, pairs stay', () => {
    expect(storableString('a\0\ud800b\udc00😀')).toBe('a\ufffd\ufffdb\ufffd😀');
    expect(storableString('\udc00\ud800')).toBe('\ufffd\ufffd');
    expect(storableString('plain')).toBe('plain');
  });

  it('replaces the escapes jsonb refuses, keeps escaped backslashes and valid pairs', () => {
    expect(storableJson({ a: 'x\0y' })).toBe('{"a":"x\\ufffdy"}');
    expect(storableJson(['\ud800', 'z\udfff'])).toBe('["\\ufffd","z\\ufffd"]');
    // A literal backslash followed by u0000 is text, not an escape.
    expect(storableJson('\\u0000')).toBe('"\\\\u0000"');
    expect(storableJson('\\\0')).toBe('"\\\\\\ufffd"');
    expect(storableJson('😀')).toBe('"😀"');
    expect(storableParameter('"\\ud83d\\ude00"')).toBe('"\\ud83d\\ude00"');
    expect(JSON.parse(storableJson({ k: 'a\0\ud800b' }))).toEqual({ k: 'a\ufffd\ufffdb' });
  });

  it('makes query parameters storable: strings, JSON documents, arrays and objects', () => {
    {
      const json = JSON.stringify([{ tid: 'x\0y' }]);
      expect(storableParameter(json)).toBe('[{"tid":"x\\ufffdy"}]');
    }
    // Plain text that only looks like an escape is not JSON: kept as typed.
    expect(storableParameter('see \\u0000 here')).toBe('see \\u0000 here');
    expect(storableParameter(['a\0', 'b'])).toEqual(['a\ufffd', 'b']);
    expect(storableParameter({ name: '\0' })).toBe('{"name":"\\ufffd"}');
    const date = new Date(0);
    expect(storableParameter(date)).toBe(date);
    expect(storableParameter(5)).toBe(5);
    expect(storableParameter(null)).toBeNull();
  });
});
