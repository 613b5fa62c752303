/**
 * The round trip's extension: answers with its params and inputs and nothing else (no progress, no
 * log), so a call is one request and one answer, the same traffic as the bare echo it is measured
 * against. The test fixture `echo` (progress + log + answer) is measured beside it.
 */
export function run(call) {
  return { outputs: { out: { params: call.params, inputs: call.inputs, attempt: call.attempt } } };
}
