import { expect, it } from 'vitest';
import { encodeBody } from './client';

const push = {
  items: Array.from({ length: 50 }, (_, n) => ({
    type: 'record',
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    base_version: 0,
    data: { kind: 'group_session', attendance: Array.from({ length: 20 }, (_, m) => `participant-${m}`) },
  })),
};

it('sends a large push gzip-compressed, and it inflates to the same JSON', async () => {
  const { body, headers } = await encodeBody(push, true);
  expect(headers['Content-Encoding']).toBe('gzip');
  expect(headers['Content-Type']).toBe('application/json');
  const bytes = new Uint8Array(body as ArrayBuffer);
  expect(bytes.byteLength).toBeLessThan(JSON.stringify(push).length / 5);
  // gzip's magic number, then inflate it back with the platform's decoder.
  expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  expect(JSON.parse(await new Response(inflated).text())).toEqual(push);
});

it('sends small bodies, and bodies not asked to be compressed, plain', async () => {
  for (const [value, compress] of [
    [{ login: 'noor' }, true],
    [push, false],
  ] as const) {
    const { body, headers } = await encodeBody(value, compress);
    expect(headers['Content-Encoding']).toBeUndefined();
    expect(body).toBe(JSON.stringify(value));
  }
});
