import {
  ArgumentMetadata,
  BadRequestException,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { Transform } from 'class-transformer';
import { FieldBadRequestException } from './field-error';

/** "fieldParams.trader_id must be a string": the path of the offending field first. */
function describe(errors: ValidationError[], parent = ''): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    for (const constraint of Object.values(error.constraints ?? {})) {
      messages.push(
        constraint.startsWith(error.property)
          ? `${path}${constraint.slice(error.property.length)}`
          : `${path}: ${constraint}`,
      );
    }
    if (error.children?.length) messages.push(...describe(error.children, path));
  }
  return messages;
}

/**
 * The path of the first field at fault (`fieldParams.trader_id`, `events.0.name`): the
 * deepest error along the first failing branch, as the messages name it.
 */
export function firstFieldPath(errors: ValidationError[], parent = ''): string | null {
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) return path;
    const nested = firstFieldPath(error.children ?? [], path);
    if (nested !== null) return nested;
  }
  return null;
}

/**
 * The pipe's 400: every message joined, and `field` naming the first field at fault (SPEC
 * section 4), so a client can show the error next to it.
 */
export function validationFailure(errors: ValidationError[]): BadRequestException {
  // One line per distinct message ("limit must be between 1 and 500" once, not per bound).
  const message = [...new Set(describe(errors))].join('; ');
  const field = firstFieldPath(errors);
  return field === null
    ? new BadRequestException(message)
    : new FieldBadRequestException(field, message);
}

/** The properties of each DTO class marked KeepOwnEntries. */
const ownEntryProperties = new WeakMap<object, Set<string>>();
/** Maps set aside by the pipe, by the empty stand-in class-transformer walks instead. */
const heldMaps = new WeakMap<object, Record<string, unknown>>();

/** A string as PostgreSQL can hold it: lone surrogates and NULs as U+FFFD (ES2024 toWellFormed). */
function storableString(text: string): string {
  const formed = (text as unknown as { toWellFormed(): string }).toWellFormed();
  return formed.includes('\0') ? formed.replaceAll('\0', '\ufffd') : formed;
}

/**
 * A JSON request body with every string (keys too) as it will be stored (SPEC section 9: NUL
 * and lone surrogates become U+FFFD), so an answer never echoes a name that the table, the
 * snapshot event and every later read show otherwise. Keys stay own data properties
 * (`__proto__`, `constructor` included): fromEntries defines them, it never assigns.
 */
function storableBody(value: unknown): unknown {
  if (typeof value === 'string') return storableString(value);
  if (Array.isArray(value)) return value.map(storableBody);
  if (value === null || typeof value !== 'object') return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [storableString(key), storableBody(item)]),
  );
}

/**
 * Nest's pipe deletes every `__proto__`, `prototype` and `constructor` key anywhere in a body,
 * and class-transformer skips `constructor` and inherited member names (`toString`) or crashes
 * on a string `constructor`, so a tenant's field mapping named `constructor` vanished with a
 * 200. The pipe hands class-transformer an empty stand-in for each top-level KeepOwnEntries
 * map and the decorator puts the map back as received, before validation.
 */
class OwnEntriesValidationPipe extends ValidationPipe {
  override transform(raw: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const value = metadata.type === 'body' ? storableBody(raw) : raw;
    const properties = metadata.metatype && ownEntryProperties.get(metadata.metatype);
    if (!properties || value === null || typeof value !== 'object') {
      return super.transform(value, metadata);
    }
    const body = { ...(value as Record<string, unknown>) };
    for (const property of properties) {
      const map = body[property];
      if (map === null || typeof map !== 'object' || Array.isArray(map)) continue;
      const standIn = {};
      heldMaps.set(standIn, map as Record<string, unknown>);
      body[property] = standIn;
    }
    return super.transform(body, metadata);
  }
}

/**
 * The global pipe of every app: whitelisted, transformed DTOs; a failure is a 400 with
 * `field` (validationFailure).
 */
export function createValidationPipe(): ValidationPipe {
  return new OwnEntriesValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: validationFailure,
  });
}

/**
 * For a free-form `{name: value}` map in a request body: class-transformer drops keys named
 * `constructor` or `__proto__` and any key the target inherits a function for (`toString`,
 * `hasOwnProperty`), which would silently lose a tenant's setting. This keeps the map as the
 * request sent it, each entry an own property (SPEC section 9: prototype member names are data).
 */
export function KeepOwnEntries(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const properties = ownEntryProperties.get(target.constructor) ?? new Set<string>();
    properties.add(String(propertyName));
    ownEntryProperties.set(target.constructor, properties);
    Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
      const raw = obj[key];
      const map = (raw !== null && typeof raw === 'object' && heldMaps.get(raw)) || raw;
      if (map === null || typeof map !== 'object' || Array.isArray(map)) return map;
      // fromEntries defines each key as an own data property, `__proto__` included.
      return Object.fromEntries(Object.entries(map));
    })(target, propertyName);
  };
}
