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

/** Most bytes of the click's stored parameters a ConversionRecorded carries (`clickParams`). */
export const CONVERSION_CLICK_PARAMS_MAX_BYTES = 64 * 1024;

/**
 * The click's stored parameters as a ConversionRecorded's `clickParams` (a string map): a
 * repeated parameter gives its first value, and only what fits in `maxBytes` is kept (see
 * `conversionFields`). Never throws.
 */
export function conversionClickParams(
  params: Readonly<Record<string, string | readonly string[]>>,
  maxBytes: number = CONVERSION_CLICK_PARAMS_MAX_BYTES,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const first = typeof value === 'string' ? value : value[0];
    if (first === undefined) continue;
    Object.defineProperty(flat, key, {
      value: first,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return conversionFields(flat, maxBytes);
}
