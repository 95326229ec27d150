import { formatHeaders, parseHeaders } from './headers-text';

describe('headers as text', () => {
  it('reads one `Name: value` a line, the value after the first colon', () => {
    expect(
      parseHeaders('Content-Type: application/json\n\nAuthorization: Bearer a:b\r\nX-Empty'),
    ).toEqual({
      'Content-Type': 'application/json',
      Authorization: 'Bearer a:b',
      'X-Empty': '',
    });
  });

  it('writes them back the same way, masked values untouched', () => {
    const headers = { 'Access-Token': '•••6789', 'Content-Type': 'application/json' };
    expect(formatHeaders(headers)).toBe('Access-Token: •••6789\nContent-Type: application/json');
    expect(parseHeaders(formatHeaders(headers))).toEqual(headers);
  });
});
