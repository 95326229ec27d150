import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { LogFormat, LogLevel } from '@tracker/config';

/**
 * Structured logs; secrets never reach them (the redact list covers auth headers). `json` (the
 * default off a terminal, SPEC section 6 LOG_FORMAT) writes one JSON object per line; `pretty`
 * writes `12:03:04 INFO [app] message` lines for a person at a terminal.
 */
export function createRootLogger(level: LogLevel, app: string, format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'apiKey', '*.apiKey'],
      censor: '[redacted]',
    },
  };
  if (format === 'json') return pino(options);
  return pino(
    options,
    pinoPretty({
      colorize: Boolean(process.stdout.isTTY),
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,app,context',
      messageFormat: '[{app}{if context} {context}{end}] {msg}',
      sync: true,
    }),
  );
}

/**
 * Nest's Logger may be given an object (libs/kafka logs dead letters that way): its fields
 * become JSON fields of the line and its `msg` the message, so ids stay queryable.
 */
function entry(message: unknown, fields: Record<string, unknown>): [object, string] {
  if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
    const { msg, ...rest } = message as Record<string, unknown>;
    return [{ ...rest, ...fields }, typeof msg === 'string' ? msg : ''];
  }
  return [fields, String(message)];
}

/**
 * Nest's start-up chatter (every module initialised, every route mapped: ~190 lines before the
 * banner) is debug, not info: a person starting the tracker sees the banner, not the wiring.
 */
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Lets Nest's Logger (used across libs and apps) write through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    if (context !== undefined && WIRING_CONTEXTS.has(context)) {
      this.logger.debug(...entry(message, { context }));
      return;
    }
    this.logger.info(...entry(message, { context }));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error(...entry(message, { context, trace }));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn(...entry(message, { context }));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug(...entry(message, { context }));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace(...entry(message, { context }));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal(...entry(message, { context }));
  }
}
