/** Never yields, so it never sees node.cancel either. */
export async function run() {
  while (true) {}
}
