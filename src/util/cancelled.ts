/** Thrown when a person dismisses a prompt: not an error, nothing to report. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}
