import { pino, type Logger } from 'pino';

/** A logger that writes every line, from debug up, parsed into `lines`. */
export function capturingLogger<Line = Record<string, unknown>>(lines: Line[]): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Line) });
}
