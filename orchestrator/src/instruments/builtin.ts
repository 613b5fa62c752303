// The two instruments as built-in extensions: the manifest the extension host starts each configured
// instrument with (its module, the one host it may reach, the credential the host adds) and the
// config its calls get. They run sandboxed like any extension; only their code ships with Symphony.
import { fileURLToPath } from 'node:url';
import {
  type CredentialUse,
  ExtensionHost,
  ExtensionLimits,
  ExtensionManifest,
  type InstrumentConfig,
  type ProviderApi,
} from '@symphony/schemas';
import { callConfigOf } from './call-config.js';

/** The version of the built-in instrument extensions' manifests. */
export const INSTRUMENT_EXTENSION_VERSION = '1.0.0';

/** 5 s: the module's own deadline (`timeoutMs`) fires first, so the node fails `slow`, not killed. */
const HOST_TIMEOUT_GRACE_MS = 5000;

/** A built-in extension, ready for the extension host: its manifest, folder and per-instrument config. */
export interface BuiltinExtension {
  readonly manifest: ExtensionManifest;
  /**
   * The folder holding `manifest.entry`: the orchestrator's compiled code (`dist/`, read-only in the
   * sandbox), since the instrument modules import their neighbours (`credentials/redact.js`).
   */
  readonly folder: string;
  readonly builtin: true;
  readonly config: Record<string, unknown>;
}

const BY_API: Readonly<
  Record<
    ProviderApi,
    { idPrefix: string; name: string; entry: string; credential: Omit<CredentialUse, 'name' | 'hosts'> }
  >
> = {
  'openai-chat': {
    idPrefix: 'symphony.openai',
    name: 'OpenAI-compatible chat',
    entry: 'instruments/openai-chat.js',
    credential: { header: 'authorization', prefix: 'Bearer ' },
  },
  'anthropic-messages': {
    idPrefix: 'symphony.anthropic',
    name: 'Anthropic Messages',
    entry: 'instruments/anthropic-messages.js',
    credential: { header: 'x-api-key', prefix: '' },
  },
};

/**
 * The extension id of a configured instrument: `symphony.openai.<id>` or `symphony.anthropic.<id>`.
 * One per instrument, not per wire format: two OpenAI-compatible instruments (OpenAI, Ollama) reach
 * different hosts with different keys, so they must not share one manifest's grants.
 */
export function instrumentExtensionId(config: Pick<InstrumentConfig, 'id' | 'api'>): string {
  return `${BY_API[config.api].idPrefix}.${config.id}`;
}

/** The network grant for `baseUrl`: its host, with its port when it names one (`localhost:11434`). */
export function networkGrantOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  const host = url.hostname.toLowerCase();
  return ExtensionHost.parse(url.port === '' ? host : `${host}:${url.port}`);
}

/** The orchestrator's compiled code folder (`dist/`), where `instruments/<module>.js` are. */
export function instrumentsFolder(): string {
  return fileURLToPath(new URL('..', import.meta.url));
}

/** The built-in extension that runs instrument `config`; `model` is a provider model id the router chose. */
export function instrumentExtension(config: InstrumentConfig, model?: string): BuiltinExtension {
  const api = BY_API[config.api];
  const manifest = ExtensionManifest.parse({
    id: instrumentExtensionId(config),
    version: INSTRUMENT_EXTENSION_VERSION,
    name: `${api.name} (${config.id})`,
    description: `Runs the AI node types on ${config.baseUrl}.`,
    kind: 'instrument',
    entry: api.entry,
    nodeTypes: [],
    permissions: {
      network: [networkGrantOf(config.baseUrl)],
      credentials:
        config.credential === undefined
          ? []
          : [{ name: config.credential, ...api.credential, hosts: [networkGrantOf(config.baseUrl)] }],
    },
    limits: {
      timeoutMs: Math.min(ExtensionLimits.maxTimeoutMs, config.timeoutMs + HOST_TIMEOUT_GRACE_MS),
    },
  });
  return {
    manifest,
    folder: instrumentsFolder(),
    builtin: true,
    config: { ...callConfigOf(config, model) },
  };
}
