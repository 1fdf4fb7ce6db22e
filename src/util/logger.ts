/** What the store, the tree's logic and the reporters need of a log (VS Code's LogOutputChannel fits). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
