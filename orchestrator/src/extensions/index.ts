// The extension host's public face (re-exported by the package's index once it lists it).
export type { ExtensionCall, ExtensionCallProgress, ExtensionCallResult, ExtensionModule } from './api.js';
export type { ExtensionCheck, ExtensionHostOptions, HostedExtension } from './ExtensionHost.js';
export { ExtensionHost, runtimeEntryPath } from './ExtensionHost.js';
export type { ExtensionCallOptions, ExtensionProcessOptions, LogLevel } from './ExtensionProcess.js';
export { ExtensionProcess } from './ExtensionProcess.js';
export { extensionSteps, toStepError } from './ExtensionStep.js';
export { ExtensionCallError, ExtensionThrewError } from './errors.js';
export { isPrivateAddress, matchNetworkGrant } from './network-policy.js';
export { describeIsolation, detectIsolation, ISOLATION_ENV } from './sandbox/isolation.js';
