/** Benign: answers with what it was given, after a progress report and a log line. */
export async function run(call) {
  call.progress({ fraction: 0.5, message: 'halfway' });
  console.log('echo', call.nodeType);
  if (call.params.delayMs) await new Promise((resolve) => setTimeout(resolve, call.params.delayMs));
  return { outputs: { out: { params: call.params, inputs: call.inputs, attempt: call.attempt } } };
}
