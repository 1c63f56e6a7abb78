/** The keyring: the data key only ever wrapped, wrong PINs counted, slowed and capped. */
import { describe, expect, it } from 'vitest';
import type { Keyring } from './keyring';
import {
  isValidPin,
  loadKeyring,
  MAX_PIN_FAILURES,
  newDataKey,
  pinDelayMs,
  pinWrap,
  recoveryKey,
  saveKeyring,
  tryPin,
  unwrapKey,
  wrapKey,
} from './keyring';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    map,
  };
}

const HEX = 'a1'.repeat(32);

async function keyringFor(pin: string, dataKey: Uint8Array, userId = 5): Promise<Keyring> {
  const recovery = await wrapKey(await recoveryKey(HEX), dataKey, 'recovery', userId);
  return {
    v: 1,
    device_id: 'dev-123456',
    recovery,
    pin: await pinWrap(pin, dataKey, userId),
    failures: 0,
    wait_until: 0,
  };
}

describe('PINs', () => {
  it('are 6 to 12 digits', () => {
    expect(isValidPin('123456')).toBe(true);
    expect(isValidPin('12345')).toBe(false);
    expect(isValidPin('12345a')).toBe(false);
    expect(isValidPin('1234567890123')).toBe(false);
  });

  it('wait longer after each wrong one, up to a minute', () => {
    expect([0, 1, 2, 3, 7, 9].map(pinDelayMs)).toEqual([0, 1000, 2000, 4000, 60_000, 60_000]);
  });
});

describe('the keyring', () => {
  it('opens with the right PIN, and stores nothing of the data key in clear', async () => {
    const dataKey = newDataKey();
    const keyring = await keyringFor('246810', dataKey);
    const storage = memoryStorage();
    saveKeyring(storage, 5, keyring);
    const stored = storage.map.get('sijil.keys.u5') ?? '';
    expect(stored).not.toContain(btoa(String.fromCharCode(...dataKey)));
    expect(stored).not.toContain('246810');
    const loaded = loadKeyring(storage, 5);
    if (!loaded) throw new Error('no keyring');
    const result = await tryPin(loaded, '246810', 5);
    expect(result.ok && [...result.dataKey]).toEqual([...dataKey]);
  });

  it('opens with the recovery key too, but not for another user', async () => {
    const dataKey = newDataKey();
    const keyring = await keyringFor('246810', dataKey, 5);
    const key = await recoveryKey(HEX);
    expect([...((await unwrapKey(key, keyring.recovery, 'recovery', 5)) ?? [])]).toEqual([...dataKey]);
    expect(await unwrapKey(key, keyring.recovery, 'recovery', 6)).toBeNull();
    expect(await unwrapKey(await recoveryKey('b2'.repeat(32)), keyring.recovery, 'recovery', 5)).toBeNull();
    // A PIN wrap is not a recovery wrap.
    expect(await unwrapKey(key, keyring.pin?.wrapped ?? keyring.recovery, 'recovery', 5)).toBeNull();
  });

  it('counts wrong PINs, makes the next try wait, and destroys the PIN wrap at the tenth', async () => {
    let keyring = await keyringFor('246810', newDataKey());
    let now = 1_000_000;
    for (let i = 1; i < MAX_PIN_FAILURES; i++) {
      const result = await tryPin(keyring, '000000', 5, now);
      expect(result).toMatchObject({ ok: false, reason: 'wrong', left: MAX_PIN_FAILURES - i });
      keyring = result.keyring;
      // Too soon: not even tried (the right PIN would not open it either).
      expect(await tryPin(keyring, '246810', 5, now)).toMatchObject({ ok: false, reason: 'wait' });
      now = keyring.wait_until;
    }
    const last = await tryPin(keyring, '000000', 5, now);
    expect(last).toMatchObject({ ok: false, reason: 'destroyed' });
    expect(last.keyring.pin).toBeNull();
    // The recovery wrap is untouched: a password login still opens the data.
    expect(last.keyring.recovery).toEqual(keyring.recovery);
    expect(await tryPin(last.keyring, '246810', 5, now + 1e9)).toMatchObject({ ok: false, reason: 'destroyed' });
  });

  it('starts counting again after the right PIN', async () => {
    const keyring = await keyringFor('246810', newDataKey());
    const wrong = await tryPin(keyring, '111111', 5, 0);
    const right = await tryPin(wrong.keyring, '246810', 5, wrong.keyring.wait_until);
    expect(right.ok).toBe(true);
    expect(right.keyring.failures).toBe(0);
  });

  it('ignores a keyring it did not write', () => {
    const storage = memoryStorage();
    storage.setItem('sijil.keys.u1', '{"v":2}');
    expect(loadKeyring(storage, 1)).toBeNull();
    storage.setItem('sijil.keys.u1', 'not json');
    expect(loadKeyring(storage, 1)).toBeNull();
  });
});
