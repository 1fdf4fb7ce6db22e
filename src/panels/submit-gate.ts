/**
 * One write at a time per form, and only for the form on show. Each form sent to the webview
 * gets a new generation, which its submit echoes (protocol/form.ts); a submit for an older one
 * (a draft sent again after "Submit and Next" replaced its form) or while one is being handled
 * (a second click, or a webview that does not wait) is refused. The webview is the other side of
 * a trust boundary: its own busy state is not relied on.
 */
export class SubmitGate {
  private current = 0;
  private busy = false;

  /** The generation of the form on show. */
  get generation(): number {
    return this.current;
  }

  /** The generation of a form about to be sent. */
  nextGeneration(): number {
    return ++this.current;
  }

  /** Why a submit for `generation` is refused now, or undefined when it may go ahead. */
  refusal(generation: number): string | undefined {
    if (generation !== this.current) return 'a form since replaced';
    if (this.busy) return 'a form whose submit is under way';
    return undefined;
  }

  /** Handles a submit unless it is refused; returns the refusal, if any. */
  async run(generation: number, submit: () => Promise<void>): Promise<string | undefined> {
    const refused = this.refusal(generation);
    if (refused) return refused;
    this.busy = true;
    try {
      await submit();
    } finally {
      this.busy = false;
    }
    return undefined;
  }
}
