import { localOnlyHost } from './reachable';

describe('localOnlyHost', () => {
  it('given a URL on this computer, when checked, then its host is named', () => {
    expect(localOnlyHost('http://localhost:3000/api/postbacks/x/tracker-postback')).toBe(
      'localhost',
    );
    expect(localOnlyHost('http://app.localhost/r/abc')).toBe('app.localhost');
    expect(localOnlyHost('http://127.0.0.1:3000/r/abc')).toBe('127.0.0.1');
    expect(localOnlyHost('http://127.1.2.3/r/abc')).toBe('127.1.2.3');
    expect(localOnlyHost('http://[::1]:3000/r/abc')).toBe('[::1]');
    expect(localOnlyHost('http://0.0.0.0:3000/r/abc')).toBe('0.0.0.0');
  });

  it('given a URL others can reach (or no URL), when checked, then null', () => {
    expect(localOnlyHost('https://t.example.com/api/postbacks/x/tracker-postback')).toBeNull();
    expect(localOnlyHost('http://192.168.1.10:3000/r/abc')).toBeNull();
    expect(localOnlyHost('http://localhost.example.com/r/abc')).toBeNull();
    expect(localOnlyHost('not a url')).toBeNull();
  });
});
