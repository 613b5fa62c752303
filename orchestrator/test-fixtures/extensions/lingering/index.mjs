/** Hostile: answers at once, then keeps the CPU busy with a timer that outlives the call. */
export async function run() {
  setInterval(() => {
    const end = Date.now() + 40;
    while (Date.now() < end) {}
  }, 50);
  return { outputs: { out: 'answered' } };
}
