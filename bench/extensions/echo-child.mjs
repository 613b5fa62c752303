/**
 * The anchor of the extension round trip, and the floor of an idle instance: a bare node process that
 * writes every NDJSON line it reads straight back, one write per line.
 */
let rest = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  let start = 0;
  for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
    const line = rest + chunk.slice(start, nl);
    rest = '';
    start = nl + 1;
    if (line.length > 0) process.stdout.write(`${line}\n`);
  }
  rest += chunk.slice(start);
});
process.stdin.on('end', () => process.exit(0));
