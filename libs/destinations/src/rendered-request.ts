import type { ConversionRecordedEvent, DestinationChangedPayload } from '@tracker/contracts';
import { conversionMacroValues, MacroValues, renderTemplate } from './template-macros';

/** A destination's request with every macro rendered: what is sent, and what its retries reuse. */
export interface RenderedRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** Null for GET. */
  body: string | null;
}

export type DestinationTemplate = Pick<
  DestinationChangedPayload,
  'method' | 'url' | 'headers' | 'body'
>;

/** The value of a header, its name matched case-insensitively (HTTP), or undefined. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === lower);
  return entry?.[1];
}

/** A body is JSON when the destination's `content-type` header says so. */
export function isJsonBody(headers: Record<string, string>): boolean {
  return /\bjson\b/i.test(headerValue(headers, 'content-type') ?? '');
}

/** Renders a destination's templates with macro values (SPEC section 4). */
export function renderRequestWith(
  destination: DestinationTemplate,
  values: MacroValues,
): RenderedRequest {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(destination.headers)) {
    Object.defineProperty(headers, name, {
      value: renderTemplate(template, values, 'header'),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const body =
    destination.method === 'POST' && destination.body !== null
      ? renderTemplate(destination.body, values, isJsonBody(destination.headers) ? 'json' : 'text')
      : null;
  return {
    method: destination.method,
    url: renderTemplate(destination.url, values, 'url'),
    headers,
    body,
  };
}

/** Renders a destination's request for one conversion (SPEC section 4). */
export function renderRequest(
  destination: DestinationTemplate,
  conversion: ConversionRecordedEvent,
): RenderedRequest {
  return renderRequestWith(destination, conversionMacroValues(conversion));
}
