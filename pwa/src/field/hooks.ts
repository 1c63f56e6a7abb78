/** Reading the phone's database from a screen (through a loader of data.ts), again whenever local data change (a save, a pull). */
import type { IDBPDatabase } from 'idb';
import { useEffect, useState } from 'preact/hooks';
import { currentUserDb } from '../db/current';
import type { SijilDb } from '../db/schema';
import { useStore } from '../store';
import { dataVersion } from '../sync/engine';

export function useLocal<T>(load: (db: IDBPDatabase<SijilDb>) => Promise<T>, deps: unknown[] = []): T | undefined {
  const version = useStore(dataVersion);
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let live = true;
    currentUserDb()
      .then(load)
      .then(
        (v) => live && setValue(v),
        (error: unknown) => console.warn('could not read the phone’s data', error),
      );
    return () => {
      live = false;
    };
  }, [version, ...deps]);
  return value;
}
