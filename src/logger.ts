import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Levels by name (`"level":"info"`), as people and log tools read them, not pino's numbers. */
const LEVEL_NAMES = { level: (label: string) => ({ level: label }) };

/** JSON logs in production; human-readable lines when writing to a terminal. */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  if (pretty) {
    return pino({ level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } });
  }
  return pino({ level, formatters: LEVEL_NAMES });
}
