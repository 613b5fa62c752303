// Draws from the Beta posteriors the router samples: Beta(α, β) as X / (X + Y) with X ~ Gamma(α),
// Y ~ Gamma(β), each by Marsaglia and Tsang's method (2000), on an injected uniform source.

/** A uniform source on [0, 1): `Math.random`, or `() => prng.real53(gen)` from `lib0/prng` for a seed. */
export type RandomSource = () => number;

/** A standard normal draw (Box–Muller; the second value is dropped to keep the source's use simple). */
function normal(random: RandomSource): number {
  // 1 − u is in (0, 1]: the logarithm never sees 0.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A draw from Gamma(shape, 1). For shape < 1 it draws Gamma(shape + 1) and scales by U^(1/shape)
 * (Marsaglia–Tsang's boost), since the squeeze needs shape ≥ 1.
 */
export function sampleGamma(shape: number, random: RandomSource): number {
  if (!(shape > 0)) throw new RangeError(`sampleGamma: shape must be positive, got ${shape}`);
  if (shape < 1) return sampleGamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A draw from Beta(alpha, beta). */
export function sampleBeta(alpha: number, beta: number, random: RandomSource): number {
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  return x / (x + y);
}
