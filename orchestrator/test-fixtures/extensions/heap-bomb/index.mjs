/** Keeps every object it makes. */
export async function run() {
  const keep = [];
  for (let i = 0; ; i++) {
    keep.push({ i, text: `item ${i}`, list: [i, i + 1, i + 2] });
    if (i % 100000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}
