/** Matching paths to routes. */
import { describe, expect, it } from 'vitest';
import { matchRoute } from './router';

describe('routes', () => {
  it('match whole paths and take parameters', () => {
    expect(matchRoute('/users/:id', '/users/12')).toEqual({ id: '12' });
    expect(matchRoute('/users/:id', '/users')).toBeNull();
    expect(matchRoute('/users/new', '/users/new')).toEqual({});
    expect(matchRoute('/', '/')).toEqual({});
    expect(matchRoute('/sites/:id', '/users/3')).toBeNull();
  });
});
