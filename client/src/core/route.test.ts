// Tests of the app's hash routes: Document and Workflow routes round-trip, anything else is home.
import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './route.js';

describe('routes', () => {
  it('round-trips document routes', () => {
    const route = parseRoute('#/doc/3f1c2a9e-1b2c-4d5e-8f90-123456789abc');
    expect(route).toEqual({ name: 'document', id: '3f1c2a9e-1b2c-4d5e-8f90-123456789abc' });
    expect(routeHash(route)).toBe('#/doc/3f1c2a9e-1b2c-4d5e-8f90-123456789abc');
  });

  it('sends anything else home, including invalid ids', () => {
    for (const hash of ['', '#', '#/', '#/doc/', '#/doc/a.b', '#/doc/%E0%A4%A', '#/other/x']) {
      expect(parseRoute(hash)).toEqual({ name: 'home' });
    }
    expect(routeHash({ name: 'home' })).toBe('#/');
  });

  it('parses workflow routes by automerge URL or bare id', () => {
    const url = 'automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ';
    expect(parseRoute(`#/workflow/${url}`)).toEqual({ name: 'workflow', url });
    expect(parseRoute('#/workflow/2j9knpCseyhnK8izDmLpGP5WMdZQ')).toEqual({ name: 'workflow', url });
    expect(routeHash({ name: 'workflow', url })).toBe(`#/workflow/${url}`);
    expect(parseRoute('#/workflow/not a url')).toEqual({ name: 'home' });
  });
});
