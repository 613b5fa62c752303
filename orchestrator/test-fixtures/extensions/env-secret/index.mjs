export async function run() {
  return {
    outputs: {
      out: {
        secret: process.env.SECRET_X ?? null,
        granted: process.env.GRANTED_X ?? null,
        keys: Object.keys(process.env),
      },
    },
  };
}
