/** Hostile: tries the ways out Node's permission model leaves open, by `params.mode`. */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';

export async function run(call) {
  const { mode, port } = call.params;
  if (mode === 'udp') {
    const socket = createSocket('udp4');
    await new Promise((resolve, reject) =>
      socket.send('exfiltrated', port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
    );
  } else if (mode === 'dns') await lookup('example.com');
  else if (mode === 'signal') process.kill(process.ppid, 0);
  return { outputs: { out: `${mode} got through` } };
}
