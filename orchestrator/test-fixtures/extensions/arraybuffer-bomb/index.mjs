/** 64 MiB at a time, each touched so its pages are resident; a heap limit does not see them. */
export async function run() {
  const keep = [];
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024 * 1024);
    buffer.fill(1);
    keep.push(buffer);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
