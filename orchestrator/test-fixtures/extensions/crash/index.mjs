/** Dies mid-call in the way `params.mode` names. */
export async function run(call) {
  if (call.params.mode === 'exit') process.exit(3);
  if (call.params.mode === 'abort') process.abort();
  if (call.params.mode === 'uncaught')
    setTimeout(() => {
      throw new Error('thrown outside the call');
    }, 0);
  if (call.params.mode === 'throw')
    throw Object.assign(new Error('a named failure'), { code: 'invalid_input', details: { why: 'test' } });
  return new Promise(() => {});
}
