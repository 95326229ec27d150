import { BadRequestException } from '@nestjs/common';
import { FieldBadRequestException } from '@tracker/platform';
import { decodePageCursor, encodePageCursor } from './page-cursor';

describe('page cursor', () => {
  it('given the last item of a page, when encoded and decoded, then its position comes back', () => {
    const cursor = { at: '2026-11-24T05:00:00.123Z', id: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f' };
    expect(decodePageCursor(encodePageCursor(cursor))).toEqual(cursor);
  });

  it('given an instant with an offset, when decoded, then it is normalised to UTC', () => {
    const raw = encodePageCursor({
      at: '2026-11-24T08:00:00+03:00',
      id: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
    });
    expect(decodePageCursor(raw).at).toBe('2026-11-24T05:00:00.000Z');
  });

  it.each(['', 'garbage', '%FF', '\u0000', Buffer.from('["x","y"]').toString('base64url')])(
    'given %p, when decoded, then a 400 names the cursor in its message and in field',
    (raw) => {
      expect(() => decodePageCursor(raw)).toThrow(BadRequestException);
      expect(() => decodePageCursor(raw)).toThrow(/^cursor/);
      let thrown: unknown;
      try {
        decodePageCursor(raw);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FieldBadRequestException);
      expect((thrown as FieldBadRequestException).getResponse()).toMatchObject({
        statusCode: 400,
        field: 'cursor',
      });
    },
  );
});
