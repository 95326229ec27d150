/** Characters of a received value quoted in an explanation; the drawer shows it in full. */
const QUOTED_CHARS = 80;

/** A value to quote: as received when short, else its start, an ellipsis and its length. */
export function quoted(value: string): string {
  return value.length <= QUOTED_CHARS
    ? value
    : `${value.slice(0, QUOTED_CHARS)}… (${value.length})`;
}
