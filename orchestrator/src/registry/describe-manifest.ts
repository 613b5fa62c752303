// What a person reads before enabling an extension: what it is, what it adds, and everything it may
// touch, in words. `symphony extensions show` and `install` print it.
import type { ExtensionManifest } from '@symphony/schemas';
import { extensionNodeTypeName } from '@symphony/schemas';

const none = '    (none)';

/** The manifest as text, permissions first among the details. */
export function describeManifest(manifest: ExtensionManifest): string {
  const p = manifest.permissions;
  const list = (items: readonly string[]) =>
    items.length === 0 ? none : items.map((i) => `    ${i}`).join('\n');
  const lines = [
    `${manifest.name} ${manifest.version} (${manifest.id}), ${manifest.kind}`,
    ...(manifest.description ? [`  ${manifest.description}`] : []),
    '',
    '  Node types it adds:',
    manifest.nodeTypes.length === 0
      ? none
      : manifest.nodeTypes
          .map((t) => `    ${extensionNodeTypeName(manifest.id, t.name)}: ${t.title}`)
          .join('\n'),
    '',
    '  It may read these folders (besides its own):',
    list(p.read),
    '  It may read and write these folders:',
    list(p.write),
    '  It may reach these hosts (through Symphony, which checks each request):',
    list(p.network),
    '  It may see these environment variables:',
    list(p.env),
    '  Symphony adds these credentials to its requests (it never sees them):',
    p.credentials.length === 0
      ? none
      : p.credentials
          .map((c) => `    ${c.name} (as the ${c.header} header, to ${c.hosts.join(', ')} only)`)
          .join('\n'),
    '',
    `  Limits: ${manifest.limits.memoryMb} MB of memory, ${manifest.limits.timeoutMs / 1000} s per call, ` +
      `${formatBytes(manifest.limits.maxOutputBytes)} per answer.`,
    '  Everything else is denied: no other files, no network of its own, no processes, no threads.',
  ];
  return lines.join('\n');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}
