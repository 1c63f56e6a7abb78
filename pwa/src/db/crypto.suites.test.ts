/**
 * The outbox, sync and code tests of sync/, run again on a sealed database:
 * the encryption layer changes nothing the app can see. `openUserDb` is
 * replaced by one that returns the database behind `sealedDb`.
 */
import 'fake-indexeddb/auto';
import { vi } from 'vitest';

vi.mock('./schema', async (original) => {
  const schema = await original<typeof import('./schema')>();
  const { dataCipher, sealedDb } = await import('./crypto');
  return {
    ...schema,
    openUserDb: async (userId: number) =>
      sealedDb(await schema.openUserDb(userId + 50_000), dataCipher(crypto.getRandomValues(new Uint8Array(32)))),
  };
});

await import('../sync/outbox.test');
await import('../sync/core.test');
await import('../sync/codes.test');
