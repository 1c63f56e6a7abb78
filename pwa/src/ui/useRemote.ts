/** Loads something from the server for a screen, with loading and failure states. */
import { useCallback, useEffect, useState } from 'preact/hooks';

export type Remote<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'failed'; error: unknown };

export function useRemote<T>(load: () => Promise<T>, deps: unknown[] = []): [Remote<T>, () => void] {
  const [remote, setRemote] = useState<Remote<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setRemote({ state: 'loading' });
    load().then(
      (data) => live && setRemote({ state: 'ready', data }),
      (error: unknown) => live && setRemote({ state: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [attempt, ...deps]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return [remote, retry];
}
