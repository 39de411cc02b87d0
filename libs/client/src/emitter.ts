/**
 * A minimal typed event emitter (no Node `events` import, so the browser build stays small);
 * `on` returns the function that removes the listener.
 */
export type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private readonly listeners = new Map<keyof E, Set<Listener<never[]>>>();

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as unknown as Listener<never[]>);
    return () => this.off(event, fn);
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): void {
    this.listeners.get(event)?.delete(fn as unknown as Listener<never[]>);
  }

  /** Returns whether anyone listened; a listener that throws does not stop the others. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const fn of [...set]) {
      try {
        (fn as unknown as Listener<E[K]>)(...args);
      } catch (err) {
        // An application bug must not break the client's own bookkeeping: report it asynchronously.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    return true;
  }

  clear(): void {
    this.listeners.clear();
  }
}
