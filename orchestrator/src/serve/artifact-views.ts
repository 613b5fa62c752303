// The artifact views of `symphony serve`: what the inspector shows of an artifact (its content as
// text, Markdown, JSON or code, its names), a named artifact's versions, a small lineage graph around
// an artifact, and search over artifacts. Computed from the Pit's ArtifactStore; which runs and
// artifacts the user may read is the caller's to say (it passes `runOf` and `readable`).
import type { ArtifactHit, ArtifactStore } from '@symphony/pit';
import {
  type ArtifactDetailResponse,
  ArtifactHash,
  type ArtifactInfo,
  type ArtifactLineageResponse,
  ArtifactName,
  type ArtifactPreviewKind,
  ArtifactSearchQuery,
  type ArtifactSearchResponse,
  type ArtifactVersion,
  type ArtifactVersionsResponse,
  DataType,
  MonitorLimits,
  type NodeId,
  NodeLibrary,
  NodeParams,
  type RunId,
} from '@symphony/schemas';
import type { z } from 'zod';

/** One reason a view request was refused, as `details.issues` of a 422 carries it. */
export interface ViewIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** A view was asked for with an argument that cannot name anything (a bad name, hash, query or window): a 422. */
export class ViewRequestError extends Error {
  override name = 'ViewRequestError';
  constructor(
    message: string,
    readonly issues: readonly ViewIssue[],
  ) {
    super(message);
  }
}

/** Parses `value` with `schema`, or throws a {@link ViewRequestError} naming the argument and the API. */
export function parseViewArgument<T extends z.ZodType>(
  api: string,
  argument: string,
  schema: T,
  value: unknown,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: [argument, ...issue.path],
    message: issue.message,
  }));
  throw new ViewRequestError(`${api}: ${argument} ${issues.map((i) => i.message).join('; ')}`, issues);
}

// --- detail ---------------------------------------------------------------------------------------

/** What the node that produced an artifact was: its type and params, from the run's pinned workflow. */
export interface ProducerNode {
  readonly type: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** Finds the node `nodeId` of run `runId` (undefined when the run or node is not known or not readable). */
export type ProducerLookup = (runId: RunId, nodeId: NodeId) => Promise<ProducerNode | undefined>;

/** How {@link artifactDetail} may learn more about an artifact than its store knows. */
export interface ArtifactDetailOptions {
  /** Tells the producing node: a `read-code` node's path or a `code-format` node's language name the code's language. */
  readonly producer?: ProducerLookup;
}

/**
 * An artifact's metadata, the named versions its bytes are, and its content to show: `json`
 * (pretty-printed with a 2-space indent when it parses), `markdown`, `code` with its language,
 * `text`, or `binary` (no text; also for content that is not UTF-8), cut at
 * {@link MonitorLimits.maxPreviewBytes} on a character boundary. Undefined when `hash` is not
 * stored. Throws {@link ViewRequestError} for a malformed hash, and the store's
 * `ArtifactCorruptError` when the bytes no longer match their hash (none of them is shown then).
 */
export async function artifactDetail(
  store: ArtifactStore,
  hash: ArtifactHash,
  options: ArtifactDetailOptions = {},
): Promise<ArtifactDetailResponse | undefined> {
  const parsed = parseViewArgument('artifactDetail', 'hash', ArtifactHash, hash);
  const info = await store.info(parsed);
  if (info === undefined) return undefined;
  const names = await store.versionsOf(parsed);
  if (!isTextual(info.mediaType)) return { info, names, preview: { kind: 'binary', truncated: false } };
  const hint = await languageHint(info, names, options.producer);
  const content = await readPrefix(store, parsed, MonitorLimits.maxPreviewBytes);
  return { info, names, preview: previewOf(info.mediaType, content, hint) };
}

/** The media type without parameters, lowercased. */
function essence(mediaType: string): string {
  return mediaType.split(';', 1)[0]!.trim().toLowerCase();
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

/** Whether an artifact of `mediaType` is text to show (anything else is binary, never decoded). */
function isTextual(mediaType: string): boolean {
  const type = essence(mediaType);
  return type.startsWith('text/') || isJsonType(type) || MEDIA_LANGUAGE.has(type) || type.endsWith('+xml');
}

/** The first bytes of an artifact, and whether there were more. */
interface Prefix {
  readonly bytes: Uint8Array;
  readonly truncated: boolean;
}

/**
 * At most `max` bytes of `hash` from its start. The whole stream is still read, so a corrupt
 * artifact throws instead of showing its first megabyte; memory stays bounded by `max`.
 */
async function readPrefix(store: ArtifactStore, hash: ArtifactHash, max: number): Promise<Prefix> {
  const kept: Uint8Array[] = [];
  let length = 0;
  let truncated = false;
  for await (const chunk of store.stream(hash)) {
    const room = max - length;
    if (chunk.length > room) truncated = true;
    if (room <= 0) continue;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    kept.push(part);
    length += part.length;
  }
  return { bytes: Buffer.concat(kept, length), truncated };
}

/** What decides the preview besides the media type: the producing port's data type and a language. */
interface LanguageHint {
  /** The artifact is source code (a `code` port, or a name with a source extension). */
  readonly code: boolean;
  readonly language?: string;
}

/** Output port names whose data type is `code` in the node library (`read-code`'s `code`, `generate-tests`' `tests`). */
const CODE_PORTS: ReadonlySet<string> = new Set(
  [...NodeLibrary.values()].flatMap((spec) =>
    spec.outputs.filter((port) => port.type === DataType.code).map((port) => port.name),
  ),
);

/** 8: producers asked about an artifact's language; they nearly always agree. */
const PRODUCERS_ASKED = 8;

/** What the producers and names of an artifact say about its language. */
async function languageHint(
  info: ArtifactInfo,
  names: readonly ArtifactVersion[],
  producer: ProducerLookup | undefined,
): Promise<LanguageHint> {
  /** Ports of producers the lookup did not know: only their names are left to judge by. */
  const unknownPorts: string[] = [];
  // The newest few: the same bytes made by a thousand runs need not cost a thousand journal reads.
  for (const made of info.producedBy.slice(-PRODUCERS_ASKED).reverse()) {
    const node = await producer?.(made.runId, made.nodeId);
    const spec = node === undefined ? undefined : NodeLibrary.get(node.type);
    if (node === undefined || spec === undefined) {
      unknownPorts.push(made.port);
      continue;
    }
    if (spec.outputs.find((p) => p.name === made.port)?.type !== DataType.code) continue;
    const language = producerLanguage(node);
    return language === undefined ? { code: true } : { code: true, language };
  }
  for (const { name } of names) {
    const language = languageOfPath(name);
    if (language !== undefined) return { code: true, language };
  }
  return { code: unknownPorts.some((port) => CODE_PORTS.has(port)) };
}

/**
 * The language a producing node names: `code-format`'s `language` (its default when unset), or the
 * extension of `read-code`'s `path`.
 */
function producerLanguage(node: ProducerNode): string | undefined {
  const schema = (NodeParams as Readonly<Record<string, z.ZodType>>)[node.type];
  const parsed = schema?.safeParse(node.params);
  const params = (parsed?.success ? parsed.data : node.params) as Readonly<Record<string, unknown>>;
  const { language, path } = params;
  if (typeof language === 'string' && language !== '') return language;
  return typeof path === 'string' ? languageOfPath(path) : undefined;
}

/** `language: key key …; …` as a map from each key to its language. */
function languageTable(spec: string): ReadonlyMap<string, string> {
  return new Map(
    spec.split(';').flatMap((entry) => {
      const [language, keys] = entry.split(':') as [string, string];
      return keys
        .trim()
        .split(/\s+/)
        .map((key) => [key, language.trim()] as const);
    }),
  );
}

/** File extensions and the language the inspector highlights them as. */
const EXTENSION_LANGUAGE = languageTable(
  'typescript: ts tsx mts cts; javascript: js jsx mjs cjs; python: py; json: json; markdown: md markdown; ' +
    'css: css; html: html htm; shell: sh bash; rust: rs; go: go; java: java; c: c h; cpp: cpp cc hpp; ' +
    'sql: sql; yaml: yaml yml; toml: toml; xml: xml svg',
);

/** The language of a file path or artifact name by its extension (`src/index.ts` → `typescript`). */
export function languageOfPath(path: string): string | undefined {
  const match = /\.([A-Za-z0-9]+)$/.exec(path);
  return match ? EXTENSION_LANGUAGE.get(match[1]!.toLowerCase()) : undefined;
}

/** Media types of source code (without parameters) and their language. */
const MEDIA_LANGUAGE = languageTable(
  'typescript: text/x-typescript text/typescript application/typescript application/x-typescript; ' +
    'javascript: text/javascript text/ecmascript application/javascript application/x-javascript; ' +
    'python: text/x-python text/x-python-script application/x-python; css: text/css; html: text/html; ' +
    'shell: text/x-sh application/x-sh; rust: text/x-rust; go: text/x-go; java: text/x-java text/x-java-source; ' +
    'c: text/x-c text/x-csrc; cpp: text/x-c++src; sql: application/sql text/x-sql; ' +
    'yaml: text/yaml text/x-yaml application/yaml application/x-yaml; xml: text/xml application/xml; toml: application/toml',
);

type Preview = ArtifactDetailResponse['preview'];

/** How the inspector shows `content` of a textual media type (see {@link isTextual}). */
function previewOf(mediaType: string, content: Prefix, hint: LanguageHint): Preview {
  const text = decodePrefix(content);
  if (text === undefined) return { kind: 'binary', truncated: false };
  const { truncated } = content;
  const type = essence(mediaType);
  const mediaLanguage = MEDIA_LANGUAGE.get(type) ?? (type.endsWith('+xml') ? 'xml' : undefined);
  if (isJsonType(type)) return jsonPreview(text, truncated) ?? shown('json', text, truncated);
  if (type === 'text/markdown' || type === 'text/x-markdown') return shown('markdown', text, truncated);
  if (mediaLanguage !== undefined) return shown('code', text, truncated, mediaLanguage);
  const json = hint.language === 'json' || looksLikeJson(text) ? jsonPreview(text, truncated) : undefined;
  if (json !== undefined) return json;
  if (hint.language === 'markdown') return shown('markdown', text, truncated);
  return hint.code ? shown('code', text, truncated, hint.language) : shown('text', text, truncated);
}

function shown(kind: ArtifactPreviewKind, text: string, truncated: boolean, language?: string): Preview {
  return language === undefined ? { kind, text, truncated } : { kind, language, text, truncated };
}

/** Whether text may be a JSON document worth showing as one: an object or an array. */
function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

/**
 * `text` as pretty-printed JSON (2-space indent), cut at {@link MonitorLimits.maxPreviewBytes};
 * undefined when it is not JSON (or was cut, or nests too deep to print).
 */
function jsonPreview(text: string, truncated: boolean): Preview | undefined {
  if (truncated) return undefined;
  let pretty: string;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
  const cut = cutUtf8(pretty, MonitorLimits.maxPreviewBytes);
  return { kind: 'json', text: cut, truncated: cut.length < pretty.length };
}

const encoder = new TextEncoder();

/** The longest start of `text` whose UTF-8 takes at most `maxBytes` (whole characters only). */
export function cutUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

/**
 * The bytes as UTF-8 text, or undefined when they are not UTF-8. A prefix that was cut drops a
 * character split by the cut, so the cut falls on a character boundary.
 */
function decodePrefix(content: Prefix): string | undefined {
  let end = content.bytes.length;
  if (content.truncated) {
    let lead = end - 1;
    while (lead > 0 && lead > end - 4 && (content.bytes[lead]! & 0xc0) === 0x80) lead--;
    const first = content.bytes[lead] ?? 0;
    const width = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
    if (lead + width > end) end = lead;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content.bytes.subarray(0, end));
  } catch {
    return undefined;
  }
}

// --- versions -------------------------------------------------------------------------------------

/** Every version of the artifact named `name`, oldest first. Throws {@link ViewRequestError} for a name that cannot be one. */
export async function artifactVersions(
  store: ArtifactStore,
  name: string,
): Promise<ArtifactVersionsResponse> {
  const parsed = parseViewArgument('artifactVersions', 'name', ArtifactName, name);
  return { versions: await store.versions(parsed) };
}

// --- lineage --------------------------------------------------------------------------------------

/** 50: artifacts a lineage graph shows each way (inputs, outputs); an artifact used by thousands of runs stays drawable. */
export const MAX_LINEAGE_EACH_WAY = 50;

/** What the caller tells of a run it may read; undefined for a run it may not (or one not known). */
export type RunLookup = (runId: RunId) => Promise<{ workflow: string; startedAt: number } | undefined>;

type LineageArtifact = ArtifactLineageResponse['artifacts'][number];
type LineageRun = ArtifactLineageResponse['runs'][number];

/**
 * The artifact (`self`), the inputs it was made from and the artifacts made from it (one step each
 * way, at most {@link MAX_LINEAGE_EACH_WAY} each), edges input → self → output, and the runs that
 * produced it (`produced`) and that used it as a node's input (`used`, with that node). Only runs
 * `runOf` answers for appear, and an input or output only through such a run: what the caller may
 * not read is left out, not hinted at. Undefined when `hash` is not stored.
 */
export async function artifactLineage(
  store: ArtifactStore,
  hash: ArtifactHash,
  runOf: RunLookup,
): Promise<ArtifactLineageResponse | undefined> {
  const parsed = parseViewArgument('artifactLineage', 'hash', ArtifactHash, hash);
  const self = await store.info(parsed);
  if (self === undefined) return undefined;
  const runs = cachedRuns(runOf);
  const { outputs } = await store.lineage(parsed);

  const produced: LineageRun[] = [];
  const inputs = new Set<ArtifactHash>();
  // Newest producers first: a long-lived artifact shows the runs people remember.
  for (const made of [...self.producedBy].reverse()) {
    const run = await runs(made.runId);
    if (run === undefined) continue;
    if (produced.length < MAX_LINEAGE_EACH_WAY) produced.push(lineageRun(run, made, 'produced'));
    for (const input of made.inputs) {
      if (input !== parsed && inputs.size < MAX_LINEAGE_EACH_WAY) inputs.add(input);
    }
  }
  const from = await infosOf(store, inputs);

  const used: LineageRun[] = [];
  const to: ArtifactInfo[] = [];
  for (const output of [...outputs].reverse()) {
    if (output === parsed || to.length >= MAX_LINEAGE_EACH_WAY) continue;
    const info = await store.info(output);
    const users = info === undefined ? [] : await readableUsers(info, parsed, runs);
    if (info === undefined || users.length === 0) continue;
    to.push(info);
    used.push(...users.slice(0, MAX_LINEAGE_EACH_WAY - used.length));
  }

  // An artifact both made this one and was made from it (two runs, opposite ways): drawn once, both edges kept.
  const listed = new Set(from.map((info) => info.hash));
  return {
    artifacts: [
      lineageArtifact(self, 'self'),
      ...from.map((info) => lineageArtifact(info, 'input')),
      ...to.filter((info) => !listed.has(info.hash)).map((info) => lineageArtifact(info, 'output')),
    ],
    edges: [
      ...from.map((info) => ({ from: info.hash, to: parsed })),
      ...to.map((info) => ({ from: parsed, to: info.hash })),
    ],
    runs: [...produced, ...used],
  };
}

/** The metadata of each of `hashes` that is stored, in order. */
async function infosOf(store: ArtifactStore, hashes: Iterable<ArtifactHash>): Promise<ArtifactInfo[]> {
  const infos = await Promise.all([...hashes].map((hash) => store.info(hash)));
  return infos.filter((info): info is ArtifactInfo => info !== undefined);
}

/** The readable runs whose nodes made `output` from `input`, each node once. */
async function readableUsers(
  output: ArtifactInfo,
  input: ArtifactHash,
  runs: RunLookup,
): Promise<LineageRun[]> {
  const users: LineageRun[] = [];
  for (const made of [...output.producedBy].reverse()) {
    if (!made.inputs.includes(input)) continue;
    if (users.some((u) => u.runId === made.runId && u.nodeId === made.nodeId)) continue;
    const run = await runs(made.runId);
    if (run !== undefined) users.push(lineageRun(run, made, 'used'));
  }
  return users;
}

function lineageArtifact(info: ArtifactInfo, role: LineageArtifact['role']): LineageArtifact {
  return { hash: info.hash, mediaType: info.mediaType, size: info.size, role };
}

/** `runOf`, asked once per run. */
function cachedRuns(runOf: RunLookup): RunLookup {
  const answers = new Map<RunId, ReturnType<RunLookup>>();
  return (runId) => {
    const answer = answers.get(runId) ?? runOf(runId);
    answers.set(runId, answer);
    return answer;
  };
}

/** One run of a lineage, with only the fields the answer has (`runOf` may tell more). */
function lineageRun(
  run: { workflow: string; startedAt: number },
  made: { runId: RunId; nodeId: NodeId },
  relation: LineageRun['relation'],
): LineageRun {
  return {
    runId: made.runId,
    nodeId: made.nodeId,
    relation,
    workflow: run.workflow,
    startedAt: run.startedAt,
  };
}

// --- search ---------------------------------------------------------------------------------------

/** 1000: hits asked of the store before filtering by access (its most); the answer keeps {@link MonitorLimits.maxSearchHits}. */
const SEARCH_CANDIDATES = 1000;
/** 160 characters: a snippet is a line of a result list. */
const SNIPPET_CHARS = 160;
/** 64 KiB: how far into a text a snippet looks for the first match. */
const SNIPPET_READ_BYTES = 64 * 1024;

const SearchText = ArtifactSearchQuery.shape.q.refine(
  (q) => q.trim() !== '',
  'must have a word to search for',
);

/**
 * Full-text search (`store.search`) over the artifacts `readable` allows, best first, at most
 * {@link MonitorLimits.maxSearchHits}, each text artifact with a snippet around its first match
 * (or its first characters). Throws {@link ViewRequestError} for an empty or over-long query.
 */
export async function artifactSearch(
  store: ArtifactStore,
  q: string,
  readable: (hash: ArtifactHash) => Promise<boolean>,
): Promise<ArtifactSearchResponse> {
  const query = parseViewArgument('artifactSearch', 'q', SearchText, q);
  const candidates = await store.search(query, { limit: SEARCH_CANDIDATES });
  const kept: ArtifactHit[] = [];
  for (
    let i = 0;
    i < candidates.length && kept.length < MonitorLimits.maxSearchHits;
    i += MonitorLimits.maxSearchHits
  ) {
    const batch = candidates.slice(i, i + MonitorLimits.maxSearchHits);
    const allowed = await Promise.all(batch.map((hit) => readable(hit.hash)));
    kept.push(...batch.filter((_, j) => allowed[j]));
  }
  const hits = kept.slice(0, MonitorLimits.maxSearchHits);
  const snippets = await Promise.all(hits.map((hit) => snippetOf(store, hit, query)));
  return {
    hits: hits.map(({ hash, score, mediaType, size, names }, i) => {
      const found = { hash, score, mediaType, size, names: [...names] };
      return snippets[i] === undefined ? found : { ...found, snippet: snippets[i] };
    }),
  };
}

/**
 * A line of a text artifact around the first word of `query` in its first
 * {@link SNIPPET_READ_BYTES}, whitespace collapsed; undefined for binary artifacts. Read through
 * the stream and stopped early: a large artifact is not read whole for one line of a result list.
 */
async function snippetOf(store: ArtifactStore, hit: ArtifactHit, query: string): Promise<string | undefined> {
  if (!isTextual(hit.mediaType) || hit.size === 0) return undefined;
  const kept: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of store.stream(hit.hash)) {
    kept.push(chunk);
    length += chunk.length;
    if (length >= SNIPPET_READ_BYTES) break;
  }
  const bytes = Buffer.concat(kept, length).subarray(0, SNIPPET_READ_BYTES);
  const text = decodePrefix({ bytes, truncated: hit.size > SNIPPET_READ_BYTES });
  return text === undefined ? undefined : snippetAround(text, query);
}

/** About {@link SNIPPET_CHARS} characters of `text` starting a little before the first word of `query`. Pure. */
export function snippetAround(text: string, query: string): string {
  const words = query.split(/[\s\p{P}]+/u).filter((w) => w.length > 1);
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const match = escaped.length === 0 ? null : new RegExp(escaped.join('|'), 'iu').exec(text);
  const before = match === null ? 0 : match.index - SNIPPET_CHARS / 4;
  const start = before <= 0 ? 0 : startOfWord(text, before);
  const rest = text.slice(start);
  const flat = Array.from(
    rest
      .slice(0, SNIPPET_CHARS * 2)
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const more = flat.length > SNIPPET_CHARS || rest.length > SNIPPET_CHARS * 2;
  return `${start > 0 ? '…' : ''}${flat.slice(0, SNIPPET_CHARS).join('')}${more ? '…' : ''}`;
}

/**
 * `at` moved to the start of the next word within 20 characters (the match is 40 ahead, so it is
 * never passed), else off a split surrogate pair.
 */
function startOfWord(text: string, at: number): number {
  const space = text.slice(at, at + 20).search(/\s/);
  if (space !== -1) return at + space + 1;
  return /[\uDC00-\uDFFF]/.test(text[at] ?? '') ? at + 1 : at;
}
