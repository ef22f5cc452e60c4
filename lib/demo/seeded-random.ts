/** A uniform draw in [0, 1), like Math.random. */
export type Random = () => number;

/**
 * mulberry32: a tiny PRNG with a 32-bit state. Not for secrets; enough to make the demo's
 * numbers repeatable from a seed, so tests can replay a whole cycle.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Log-normal around a median: latency's usual shape (most fast, a long slow tail). */
export function logNormal(median: number, spread: number, random: Random): number {
  const u = Math.max(random(), 1e-9);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(spread * normal);
}

/** How many events happen in one interval when `mean` happen on average (Knuth; fine for small means). */
export function poisson(mean: number, random: Random): number {
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random();
  while (product > limit) {
    count++;
    product *= random();
  }
  return count;
}
