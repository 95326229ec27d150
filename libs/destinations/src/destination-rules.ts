import { DESTINATION_STAGES, SIMPLE_MACROS, WRITTEN_MACROS } from '@tracker/contracts';
import { literalHostProblem } from './address-policy';
import { DESTINATION_TEMPLATES } from './destination-templates';
import { DestinationTemplate, renderRequestWith } from './rendered-request';
import { reservedHeaderProblem } from './reserved-headers';
import { unknownMacros, type MacroValues } from './template-macros';

export const MAX_URL_LENGTH = 4096;
export const MAX_HEADERS = 50;
export const MAX_HEADER_VALUE_LENGTH = 8192;
export const MAX_BODY_LENGTH = 64 * 1024;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** What is wrong with a destination, naming the field, as a `400` says it. */
export interface DestinationProblem {
  field: string;
  message: string;
}

export interface DestinationDraft extends DestinationTemplate {
  stages: string[];
}

/** Sample values that render every macro non-empty, to check that a rendered URL parses. */
const SAMPLE_VALUES: MacroValues = {
  simple: Object.fromEntries(SIMPLE_MACROS.map((name) => [name, 'x'])) as MacroValues['simple'],
  fields: new Proxy({}, { get: () => 'x', has: () => true }),
  click: new Proxy({}, { get: () => 'x', has: () => true }),
};

function macroProblem(field: string, template: string): DestinationProblem | null {
  const [unknown] = unknownMacros(template);
  if (!unknown) return null;
  return {
    field,
    message: `${field} uses an unknown macro ${unknown}; known: {${WRITTEN_MACROS.join('}, {')}}`,
  };
}

/**
 * The upper-case placeholders of the ready templates (`TRACKER_DOMAIN`, `PIXEL_ID`,
 * `ACCESS_TOKEN`, …): words to replace before a destination can work. Saved as they are, every
 * conversion became a delivery doomed to fail (found in a new user's trial).
 */
const TEMPLATE_PLACEHOLDERS = [
  ...new Set(
    DESTINATION_TEMPLATES.flatMap((template) =>
      [template.url, template.body ?? '', ...Object.values(template.headers)].flatMap(
        (text) => text.match(/[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]/g) ?? [],
      ),
    ),
  ),
];

/**
 * A placeholder left as a whole word, where the templates put it (a value, a path segment, a
 * JSON string), never a parameter name (`CHAT_ID=12345`, `ACCESS_TOKEN=<token>`) or part of a
 * longer word: a user's own URL with upper-case names could not be enabled.
 */
const PLACEHOLDER_LEFT = TEMPLATE_PLACEHOLDERS.map(
  (placeholder) =>
    [placeholder, new RegExp(`(?<![A-Za-z0-9_])${placeholder}(?![A-Za-z0-9_=])`)] as const,
);

function placeholderProblem(
  field: string,
  text: string,
  enabled: boolean,
): DestinationProblem | null {
  if (!enabled) return null;
  const left = PLACEHOLDER_LEFT.find(([, pattern]) => pattern.test(text))?.[0];
  return left === undefined
    ? null
    : {
        field,
        message: `${field} still holds the template's placeholder ${left}: replace it before the destination is enabled`,
      };
}

/**
 * The first problem of a destination's settings, or null (SPEC section 4): stages non-empty and
 * known; `url` an absolute http(s) URL once rendered, whose literal host is not loopback,
 * private, link-local or metadata unless `allowPrivate`; header names valid and none the sender
 * sets itself (`reservedHeaderProblem`), values without CR or LF; a body only for POST; every
 * macro known; once `enabled`, no template placeholder left.
 */
export function destinationProblem(
  draft: DestinationDraft,
  options: { allowPrivate: boolean; enabled?: boolean },
): DestinationProblem | null {
  // A draft may keep a template's placeholders; an enabled destination may not.
  const enabled = options.enabled ?? false;
  if (draft.stages.length === 0) return { field: 'stages', message: 'stages must not be empty' };
  const unknownStage = draft.stages.find((stage) => !DESTINATION_STAGES.includes(stage));
  if (unknownStage !== undefined) {
    return {
      field: 'stages',
      message: `stages has an unknown stage '${unknownStage}'; known: ${DESTINATION_STAGES.join(', ')}`,
    };
  }
  if (draft.url.length > MAX_URL_LENGTH) {
    return { field: 'url', message: `url must be at most ${MAX_URL_LENGTH} characters` };
  }
  const urlMacro = macroProblem('url', draft.url) ?? placeholderProblem('url', draft.url, enabled);
  if (urlMacro) return urlMacro;
  const headers = Object.entries(draft.headers);
  if (headers.length > MAX_HEADERS) {
    return { field: 'headers', message: `headers must have at most ${MAX_HEADERS} entries` };
  }
  const seen = new Map<string, string>();
  for (const [name, value] of headers) {
    if (!HEADER_NAME.test(name)) {
      return { field: 'headers', message: `headers has an invalid header name '${name}'` };
    }
    // Header names ignore case: `X-A` and `x-a` would go out merged into one ("1, 2").
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      return {
        field: `headers.${name}`,
        message: `headers.${name} repeats headers.${first} (header names ignore case)`,
      };
    }
    seen.set(name.toLowerCase(), name);
    const reserved = reservedHeaderProblem(name);
    if (reserved) return reserved;
    if (typeof value !== 'string') {
      return { field: `headers.${name}`, message: `headers.${name} must be a string` };
    }
    if (/[\r\n]/.test(value)) {
      return { field: `headers.${name}`, message: `headers.${name} must not contain CR or LF` };
    }
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
      return {
        field: `headers.${name}`,
        message: `headers.${name} must not contain control characters`,
      };
    }
    if (value.length > MAX_HEADER_VALUE_LENGTH) {
      return {
        field: `headers.${name}`,
        message: `headers.${name} must be at most ${MAX_HEADER_VALUE_LENGTH} characters`,
      };
    }
    const headerMacro =
      macroProblem(`headers.${name}`, value) ??
      placeholderProblem(`headers.${name}`, value, enabled);
    if (headerMacro) return headerMacro;
  }
  if (draft.body !== null) {
    if (draft.method !== 'POST') return { field: 'body', message: 'body is only for POST' };
    if (draft.body.length > MAX_BODY_LENGTH) {
      return { field: 'body', message: `body must be at most ${MAX_BODY_LENGTH} characters` };
    }
    const bodyMacro =
      macroProblem('body', draft.body) ?? placeholderProblem('body', draft.body, enabled);
    if (bodyMacro) return bodyMacro;
  }
  let url: URL;
  try {
    url = new URL(renderRequestWith(draft, SAMPLE_VALUES).url);
  } catch {
    return { field: 'url', message: 'url must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { field: 'url', message: `url must use http or https, got '${url.protocol}'` };
  }
  if (url.username || url.password) {
    return { field: 'url', message: 'url must not carry a user name or password' };
  }
  if (!options.allowPrivate) {
    const problem = literalHostProblem(url.hostname);
    if (problem) {
      return {
        field: 'url',
        message: `url points to a loopback, private, link-local or metadata address (${problem}); set DESTINATIONS_ALLOW_PRIVATE=true to allow it`,
      };
    }
  }
  return null;
}
