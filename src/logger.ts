import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON logs in production; human-readable lines when writing to a terminal. */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  if (pretty) {
    return pino({ level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } });
  }
  return pino({ level });
}
