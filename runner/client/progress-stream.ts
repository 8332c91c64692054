// A push queue read as an async iterator: progress events of one request, buffered until read,
// ending when the request is answered.
export interface ProgressStream<T> {
  push(v: T): void;
  end(): void;
  iterable: AsyncIterable<T>;
}

export function progressStream<T>(): ProgressStream<T> {
  const queue: T[] = [];
  let done = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    wake?.();
    wake = null;
  };
  return {
    push(v) {
      if (done) return;
      queue.push(v);
      signal();
    },
    end() {
      done = true;
      signal();
    },
    iterable: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (queue.length) yield queue.shift() as T;
          else if (done) return;
          else await new Promise<void>((r) => (wake = r));
        }
      }
    }
  };
}
