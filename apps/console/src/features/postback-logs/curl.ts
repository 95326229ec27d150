/** Quotes a value for a POSIX shell: `'it'\''s'`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The postback as a curl command, to replay it by hand (the partner's body and type kept). */
export function toCurl(
  item: { method: string; url: string; body?: unknown; contentType?: string | null },
  origin: string,
): string {
  const url = item.url.startsWith('/') ? origin + item.url : item.url;
  // -g: a partner's URL may hold {}, [] (unfilled macros) that curl would expand as globs.
  const parts = ['curl', '-g', '-X', item.method, shellQuote(url)];
  if (item.body !== undefined && item.body !== null && item.body !== '') {
    const body = typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
    const type =
      item.contentType ??
      (typeof item.body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json');
    parts.push('-H', shellQuote(`content-type: ${type}`), '--data-raw', shellQuote(body));
  }
  return parts.join(' ');
}
