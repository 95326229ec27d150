/**
 * Most bytes (UTF-8 keys and values) of the click's custom fields a ConversionRecorded carries.
 * A click gathers fields from every postback (SPEC section 5, Fields) without a bound of its
 * own, while an event must stay far below what the broker accepts (SPEC section 9: sizes bounded
 * end to end); the conversion carries the fields that fit.
 */
export const CONVERSION_FIELDS_MAX_BYTES = 256 * 1024;

/**
 * The fields a ConversionRecorded carries: all of them while they fit in `maxBytes`, else those
 * that fit, taken in the map's own order (deterministic for one stored click, so a replay
 * derives the same payload). Returns a new plain object; never throws.
 */
export function conversionFields(
  fields: Readonly<Record<string, string>>,
  maxBytes: number = CONVERSION_FIELDS_MAX_BYTES,
): Record<string, string> {
  const kept: Record<string, string> = {};
  let bytes = 0;
  for (const [key, value] of Object.entries(fields)) {
    // Quotes, colon and comma of the JSON member.
    const size = Buffer.byteLength(key) + Buffer.byteLength(value) + 6;
    if (bytes + size > maxBytes) continue;
    Object.defineProperty(kept, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    bytes += size;
  }
  return kept;
}
