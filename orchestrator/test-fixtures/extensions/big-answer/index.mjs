export async function run() {
  return { outputs: { out: 'x'.repeat(100 * 1024 * 1024) } };
}
