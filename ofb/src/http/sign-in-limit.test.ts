// Tests of the sign-in limiter: per-name slowdowns, per-address budgets, spread attacks, IPv6 /64 grouping.
import { describe, expect, it } from 'vitest';
import { addressKey, SignInLimiter, signInLimits } from './sign-in-limit.js';

describe('SignInLimiter', () => {
  const make = () => {
    let now = 0;
    const limiter = new SignInLimiter(signInLimits(10), () => now);
    return {
      limiter,
      advance: (ms: number) => {
        now += ms;
      },
    };
  };
  const guess = (limiter: SignInLimiter, address: string, name = 'owner') => {
    const wait = limiter.attempt(address, name);
    if (wait === 0) limiter.failed(address, name);
    return wait;
  };

  it('slows one address guessing one name after 5 failures, without touching other names there', () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 5; i++) expect(guess(limiter, '10.0.0.1')).toBe(0);
    expect(guess(limiter, '10.0.0.1')).toBeGreaterThan(0);
    expect(limiter.attempt('10.0.0.1', 'someone-else')).toBe(0);
    advance(12_000);
    expect(guess(limiter, '10.0.0.1')).toBe(0);
  });

  it('limits every attempt from one address (10 a minute)', () => {
    const { limiter } = make();
    for (let i = 0; i < 10; i++) expect(limiter.attempt('10.0.0.1', `name${i}`)).toBe(0);
    expect(limiter.attempt('10.0.0.1', 'name10')).toBeGreaterThan(0);
    expect(limiter.signUp('10.0.0.1')).toBeGreaterThan(0);
    expect(limiter.signUp('10.0.0.2')).toBe(0);
  });

  it('under a spread attack refuses the addresses that failed and lets a clean one try', () => {
    const { limiter, advance } = make();
    // 10 failures from 10 addresses: the name is under attack.
    for (let i = 0; i < 10; i++) expect(guess(limiter, `10.0.1.${i}`)).toBe(0);
    for (let i = 0; i < 10; i++) expect(limiter.attempt(`10.0.1.${i}`, 'owner')).toBeGreaterThan(0);
    // The owner's address has not failed: it may check the password.
    expect(limiter.attempt('192.168.1.7', 'owner')).toBe(0);
    limiter.succeeded('192.168.1.7', 'owner');
    // A fresh attacking address gets its one guess, then waits too.
    expect(guess(limiter, '10.0.2.1')).toBe(0);
    expect(limiter.attempt('10.0.2.1', 'owner')).toBeGreaterThan(0);
    // Once the attack stops the name's failures refill and a failed address may try again.
    advance(60_000);
    expect(limiter.attempt('10.0.1.0', 'owner')).toBe(0);
  });

  it('forgives an address its failures for a name once it signs in', () => {
    const { limiter } = make();
    // The owner mistypes, then signs in.
    guess(limiter, '192.168.1.7');
    expect(limiter.attempt('192.168.1.7', 'owner')).toBe(0);
    limiter.succeeded('192.168.1.7', 'owner');
    // An attack starts: the owner's address counts as clean again.
    for (let i = 0; i < 10; i++) guess(limiter, `10.0.1.${i}`);
    expect(limiter.attempt('192.168.1.7', 'owner')).toBe(0);
  });

  it('counts an IPv6 /64 as one address, and an IPv4-mapped address as its IPv4 address', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('unknown')).toBe('unknown');
    // Guesses from many addresses of one /64 are one address's guesses.
    const { limiter } = make();
    for (let i = 0; i < 5; i++) guess(limiter, `2001:db8:7:7::${i + 1}`);
    expect(limiter.attempt('2001:db8:7:7::ffff', 'owner')).toBeGreaterThan(0);
    expect(limiter.attempt('2001:db8:7:8::1', 'owner')).toBe(0);
  });
});
