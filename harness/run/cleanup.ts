/**
 * The run's one cleanup stack: what was started is undone last-in first-out, on every exit path.
 * Each undo runs even when an earlier one throws; the errors are collected and rethrown together.
 */
export class CleanupStack implements AsyncDisposable {
  readonly #steps: Array<{ name: string; undo: () => Promise<void> | void }> = [];
  #running: Promise<void> | undefined;

  /** Push an undo step; returns a function that removes it (when the thing was undone early). */
  defer(name: string, undo: () => Promise<void> | void): () => void {
    const step = { name, undo };
    this.#steps.push(step);
    return () => {
      const i = this.#steps.indexOf(step);
      if (i >= 0) this.#steps.splice(i, 1);
    };
  }

  get size(): number {
    return this.#steps.length;
  }

  /** Undo everything, newest first. Safe to call twice (the second call waits for the first). */
  run(onStep?: (name: string, error?: unknown) => void): Promise<void> {
    this.#running ??= (async () => {
      const errors: unknown[] = [];
      while (this.#steps.length > 0) {
        const step = this.#steps.pop()!;
        try {
          await step.undo();
          onStep?.(step.name);
        } catch (error) {
          errors.push(error);
          onStep?.(step.name, error);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanup steps failed`);
    })();
    return this.#running;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.run();
  }
}
