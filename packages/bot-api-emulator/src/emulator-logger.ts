/**
 * What the emulator needs of a logger: pino's calling convention (fields first, then the
 * message). A pino logger fits as it is, and so does `console`.
 */
export interface EmulatorLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
