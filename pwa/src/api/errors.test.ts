/** The app knows exactly the error codes the server lists. */
import { expect, it } from 'vitest';
import serverCodes from './error-codes.json';
import { ERROR_CODES, isErrorCode } from './errors';

it('the typed codes are the codes in error-codes.json, in its order', () => {
  expect([...ERROR_CODES]).toEqual(serverCodes);
  expect([...serverCodes].sort()).toEqual(serverCodes);
});

it('tells a known code from anything else', () => {
  expect(serverCodes.every(isErrorCode)).toBe(true);
  expect(isErrorCode('http_502')).toBe(false);
  expect(isErrorCode('')).toBe(false);
});
