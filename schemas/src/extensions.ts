// Extensions: the manifest a person reads before enabling one, its limits, and the JSON-RPC protocol
// between the extension host (outside the sandbox) and the extension's process (inside it).
import { z } from 'zod';

/**
 * An extension's id: dot-separated lowercase words, e.g. `symphony.openai`, `acme.pdf-tools`.
 * Node types an extension provides are named `<id>/<name>`, so they never collide with built-ins.
 */
export const ExtensionId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,39}(\.[a-z0-9][a-z0-9-]{0,39}){0,3}$/,
    'extension id must be 1–4 dot-separated lowercase words of letters, digits and "-" (e.g. acme.pdf-tools)',
  );
export type ExtensionId = z.infer<typeof ExtensionId>;

/** What an extension is: an AI instrument, a utility operator, or an addon (no node types of its own). */
export const ExtensionKind = z.enum(['instrument', 'operator', 'addon']);
export type ExtensionKind = z.infer<typeof ExtensionKind>;

/** Limits every extension lives within; a manifest may ask for less or more, within these bounds. */
export const ExtensionLimits = {
  /** Memory (resident set, ArrayBuffers included) an extension process may use. */
  minMemoryMb: 32,
  defaultMemoryMb: 256,
  maxMemoryMb: 4096,
  /** Time one call (one node attempt) may take. */
  defaultTimeoutMs: 60_000,
  maxTimeoutMs: 60 * 60_000,
  /** Bytes of one answer (outputs of one call, or one message the extension sends). */
  defaultMaxOutputBytes: 16 * 1024 * 1024,
  maxOutputBytes: 256 * 1024 * 1024,
  /** The watchdog kills a call this long after its time limit, whatever the extension does. */
  killGraceMs: 250,
  /** How often the watchdog reads each process's resident set. */
  rssPollMs: 100,
  /** Bytes of one fetch response body the host relays to an extension. */
  maxFetchBytes: 64 * 1024 * 1024,
  /** Fetches one extension process may have open at once. */
  maxOpenFetches: 16,
  /** Node types one manifest may provide, and folders, hosts and variables it may name. */
  maxNodeTypes: 64,
  maxGrants: 32,
} as const;

const relativePath = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'),
    'must be a path inside the extension folder (relative, no "..")',
  );

/**
 * A folder an extension may read or write: absolute, or starting `~/` (the user's home), or
 * `${workspace}/…` (the folder the run was started in). Checked again, resolved, when a call runs.
 */
const grantPath = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (p) => /^(\/|~\/|\$\{workspace\}(\/|$))/.test(p) && !p.split('/').includes('..'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: `${workspace}` is the grant's literal placeholder.
    'a granted folder must be absolute, start with ~/ or ${workspace}, and contain no ".."',
  );

/**
 * A network host an extension may reach through the host's fetch proxy: `api.openai.com`,
 * `localhost:11434` (a port pins it; without one, 443 and 80), or `*.example.com` (any subdomain).
 */
export const ExtensionHost = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$|^\[[0-9a-f:.]+\](:[0-9]{1,5})?$/,
    'a host must be a lowercase name (optionally *.name) or [IPv6], with an optional :port',
  );
export type ExtensionHost = z.infer<typeof ExtensionHost>;

/**
 * A secret the host adds to fetches of one host on the extension's behalf, from the user's local
 * credential store: the extension never sees its value.
 */
export const CredentialUse = z.object({
  /** The credential's name in the store (`symphony credentials set <name>`). */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'credential name: lowercase letters, digits, ".", "_", "-"'),
  /** The request header it goes in. */
  header: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .transform((h) => h.toLowerCase()),
  /** Put before the value, e.g. `Bearer `. */
  prefix: z.string().max(32).default(''),
  /**
   * The granted hosts it goes to (same forms as `network`): a key is meant for one provider, and no
   * other granted host ever receives it.
   */
  hosts: z.array(ExtensionHost).min(1, 'name the hosts a credential goes to').max(8),
});
export type CredentialUse = z.infer<typeof CredentialUse>;

/** What an extension may touch. Everything not granted here is denied. */
export const ExtensionPermissions = z.object({
  /** Folders it may read (besides its own folder, always readable). */
  read: z.array(grantPath).max(ExtensionLimits.maxGrants).default([]),
  /** Folders it may read and write. */
  write: z.array(grantPath).max(ExtensionLimits.maxGrants).default([]),
  /** Hosts it may fetch, through the host; it has no network of its own. */
  network: z.array(ExtensionHost).max(ExtensionLimits.maxGrants).default([]),
  /** Environment variables it may see (names; values come from the host's environment). */
  env: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment variable name'))
    .max(ExtensionLimits.maxGrants)
    .default([]),
  /** Credentials the host adds to its fetches. */
  credentials: z.array(CredentialUse).max(8).default([]),
});
export type ExtensionPermissions = z.infer<typeof ExtensionPermissions>;

/** The resources one extension process and one call may use. */
export const ExtensionResourceLimits = z.object({
  memoryMb: z
    .number()
    .int()
    .min(ExtensionLimits.minMemoryMb)
    .max(ExtensionLimits.maxMemoryMb)
    .default(ExtensionLimits.defaultMemoryMb),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(ExtensionLimits.maxTimeoutMs)
    .default(ExtensionLimits.defaultTimeoutMs),
  maxOutputBytes: z
    .number()
    .int()
    .min(1024)
    .max(ExtensionLimits.maxOutputBytes)
    .default(ExtensionLimits.defaultMaxOutputBytes),
});
export type ExtensionResourceLimits = z.infer<typeof ExtensionResourceLimits>;

const portName = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_-]{0,63}$/, 'port name: a letter, then letters, digits, "_", "-"');

/** A port of a node type an extension provides (as the node library's `PortSpec`). */
export const ExtensionPort = z.object({
  name: portName,
  type: z.enum(['text', 'document', 'code', 'json', 'label', 'embedding', 'text-list', 'any']),
  label: z.string().min(1).max(100),
  required: z.boolean().optional(),
  multiple: z.boolean().optional(),
});
export type ExtensionPort = z.infer<typeof ExtensionPort>;

/**
 * A node type an extension provides, merged into the node library as `<extension id>/<name>`.
 * `params` is a JSON Schema of an object (the inspector renders it; the node library turns it into
 * the type's param schema).
 */
export const ExtensionNodeType = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'node type name: lowercase letters, digits, "-"'),
  title: z.string().min(1).max(100),
  description: z.string().max(2000).default(''),
  category: z.string().min(1).max(50).default('Extensions'),
  inputs: z.array(ExtensionPort).max(32).default([]),
  outputs: z.array(ExtensionPort).min(1).max(32),
  params: z
    .object({ type: z.literal('object') })
    .catchall(z.unknown())
    .default({ type: 'object', properties: {} }),
  /** `false`: the same inputs may give different outputs (reads the network, a clock): never cached. */
  deterministic: z.boolean().default(false),
});
export type ExtensionNodeType = z.infer<typeof ExtensionNodeType>;

/** Semantic version, `1.2.3` or `1.2.3-beta.1`. */
const SemVer = z
  .string()
  .max(64)
  .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, 'version must be semver, e.g. 1.2.3');

/** `symphony-extension.json`: what an extension is, provides and may touch. Shown before enabling. */
export const ExtensionManifest = z.object({
  id: ExtensionId,
  version: SemVer,
  name: z.string().min(1).max(100),
  description: z.string().max(2000).default(''),
  kind: ExtensionKind,
  /** Its main module (ES module), relative to the extension folder. */
  entry: relativePath.refine((p) => /\.(m?js)$/.test(p), 'entry must be a .js or .mjs file'),
  nodeTypes: z.array(ExtensionNodeType).max(ExtensionLimits.maxNodeTypes).default([]),
  permissions: ExtensionPermissions.default({ read: [], write: [], network: [], env: [], credentials: [] }),
  limits: ExtensionResourceLimits.default({
    memoryMb: ExtensionLimits.defaultMemoryMb,
    timeoutMs: ExtensionLimits.defaultTimeoutMs,
    maxOutputBytes: ExtensionLimits.defaultMaxOutputBytes,
  }),
});
export type ExtensionManifest = z.infer<typeof ExtensionManifest>;
export type ExtensionManifestInput = z.input<typeof ExtensionManifest>;

/** The file name of a manifest in an extension folder. */
export const MANIFEST_FILE = 'symphony-extension.json';

/** How strongly the host can isolate extensions on this machine. */
export const IsolationLevel = {
  /** bubblewrap: own namespaces, only granted folders mounted, no network. */
  sandboxed: 'sandboxed',
  /**
   * bubblewrap cannot run here (no user namespaces, macOS): Node's permission flags and the
   * watchdog only. Extensions with a network grant are refused; the UI and CLI say so.
   */
  reduced: 'reduced',
} as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];

/** Why an extension call failed, in `RunError.details.reason` of its node. */
export const ExtensionFailure = {
  /** The process exited or crashed mid-call. */
  crashed: 'crashed',
  /** Ran past its time limit; the watchdog killed it. */
  timeLimit: 'time-limit',
  /** Its resident memory (or JS heap) passed its limit; the watchdog killed it. */
  memoryLimit: 'memory-limit',
  /** An answer larger than its output limit. */
  outputLimit: 'output-limit',
  /** Asked for something outside its grant (a folder, a host, a process). */
  denied: 'denied',
  /** Broke the protocol (malformed message, unknown call). */
  protocol: 'protocol',
  /** Refused to start: the manifest needs more isolation than this machine has. */
  isolation: 'isolation',
} as const;
export type ExtensionFailure = (typeof ExtensionFailure)[keyof typeof ExtensionFailure];

// ── The protocol: JSON-RPC 2.0, one message per line on the extension's stdin/stdout ──────────

/** host → extension, once after start: which extension it is. Answered with {@link ExtensionReady}. */
export const ExtensionInit = z.object({
  manifest: ExtensionManifest,
  /** Per-instrument settings (base URL, models) when the extension is an instrument. */
  config: z.record(z.string(), z.unknown()).default({}),
});
export const ExtensionReady = z.object({ ok: z.literal(true) });

/** Input values of a call, as a step sees them (see the orchestrator's `StepValue`). */
const Values = z.record(z.string(), z.array(z.unknown()));

/** host → extension: run one node attempt. Answered with {@link ExtensionRunResult}. */
export const ExtensionRun = z.object({
  callId: z.string().min(1).max(200),
  /** The node type's name within the extension (without the `<id>/` prefix). */
  nodeType: z.string().max(64),
  params: z.record(z.string(), z.unknown()),
  inputs: Values,
  attempt: z.number().int().min(1),
  idempotencyKey: z.string().max(400),
});
export type ExtensionRun = z.infer<typeof ExtensionRun>;

/** Tokens and money one call used (instruments report it; the executor journals it). */
export const CallUsage = z.object({
  instrument: z.string().max(100),
  model: z.string().max(200),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** In US dollars, from the price table; absent when the model has no price. */
  costUsd: z.number().nonnegative().optional(),
  /** From the request to the last token. */
  latencyMs: z.number().nonnegative().optional(),
});
export type CallUsage = z.infer<typeof CallUsage>;

export const ExtensionRunResult = z.object({
  outputs: z.record(z.string(), z.unknown()),
  usage: CallUsage.optional(),
});
export type ExtensionRunResult = z.infer<typeof ExtensionRunResult>;

/** host → extension notification: stop call `callId` (cancelled or timed out). */
export const ExtensionCancel = z.object({ callId: z.string().max(200) });

/** extension → host notification: progress of a call (streamed tokens go in `tokens`). */
export const ExtensionProgress = z.object({
  callId: z.string().max(200),
  fraction: z.number().min(0).max(1).optional(),
  message: z.string().max(2000).optional(),
  tokens: z.string().max(1_000_000).optional(),
});

/**
 * extension → host request: fetch `url` on the extension's behalf. The host checks the host
 * against the grant, adds declared credentials, and answers with the head; the body follows as
 * `fetch.chunk` notifications (base64) and one `fetch.end` (or `fetch.error`).
 */
export const ExtensionFetch = z.object({
  fetchId: z.string().min(1).max(100),
  url: z.string().url().max(8192),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  headers: z.record(z.string().max(256), z.string().max(16_384)).default({}),
  /** Request body, base64. */
  body: z.string().max(44_739_244).optional(),
});
export type ExtensionFetch = z.infer<typeof ExtensionFetch>;
export const ExtensionFetchHead = z.object({
  status: z.number().int().min(100).max(599),
  statusText: z.string().max(500).default(''),
  headers: z.record(z.string(), z.string()),
});
export const ExtensionFetchChunk = z.object({ fetchId: z.string().max(100), data: z.string() });
export const ExtensionFetchEnd = z.object({ fetchId: z.string().max(100) });
export const ExtensionFetchError = z.object({ fetchId: z.string().max(100), message: z.string().max(2000) });
/** extension → host notification: stop fetch `fetchId` (its reader was cancelled). */
export const ExtensionFetchAbort = z.object({ fetchId: z.string().max(100) });

/** extension → host notification: a log line (shown in the node's log, never as output). */
export const ExtensionLog = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string().max(4000),
});

/** Method names of the protocol, both directions. */
export const ExtensionMethod = {
  init: 'extension.init',
  run: 'node.run',
  cancel: 'node.cancel',
  progress: 'node.progress',
  fetch: 'fetch',
  fetchChunk: 'fetch.chunk',
  fetchEnd: 'fetch.end',
  fetchError: 'fetch.error',
  fetchAbort: 'fetch.abort',
  log: 'log',
} as const;
