import net from 'node:net';

export async function run(call) {
  if (call.params.mode === 'net')
    await new Promise((resolve, reject) =>
      net.connect(call.params.port, '127.0.0.1').on('connect', resolve).on('error', reject),
    );
  else if (call.params.mode === 'raw-net') {
    // Past the runtime's net.connect guard, straight to libuv: only the network namespace stops it.
    const { TCP, TCPConnectWrap, constants } = process.binding('tcp_wrap');
    const status = await new Promise((resolve) => {
      const request = new TCPConnectWrap();
      request.oncomplete = (code) => resolve(code);
      const result = new TCP(constants.SOCKET).connect(request, '127.0.0.1', call.params.port);
      if (result !== 0) resolve(result);
    });
    if (status !== 0)
      throw Object.assign(new Error(`raw connect failed with status ${status}`), { code: 'ECONNREFUSED' });
  } else if (call.params.mode === 'global-fetch') await fetch(call.params.url);
  else if (call.params.mode === 'fetch-leak') {
    const text = await (await call.fetch(call.params.url)).text();
    console.log(`the server said ${text}`);
    call.progress({ message: `progress ${text}` });
    throw new Error(`leaking ${text}`);
  } else {
    const response = await call.fetch(call.params.url);
    return { outputs: { out: await response.text() } };
  }
  return { outputs: { out: 'connected' } };
}
