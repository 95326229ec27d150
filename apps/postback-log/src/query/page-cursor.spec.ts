import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './page-cursor';
import { containsPattern } from './postback-log.query';

describe('page cursor', () => {
  it('round-trips the position of the last item', () => {
    const cursor = {
      receivedAt: '2026-11-24T05:00:00.123Z',
      id: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(['', 'garbage', Buffer.from('["x","y"]').toString('base64url')])(
    'rejects %p with a 400 naming the cursor',
    (raw) => {
      expect(() => decodeCursor(raw)).toThrow(BadRequestException);
      expect(() => decodeCursor(raw)).toThrow(/cursor/);
    },
  );

  it('takes LIKE wildcards in q literally', () => {
    expect(containsPattern('50%_A\\b')).toBe('%50\\%\\_a\\\\b%');
  });
});
