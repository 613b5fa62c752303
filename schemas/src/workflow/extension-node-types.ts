// Node types that extensions provide, turned into node library entries: `<extension id>/<name>`, with
// ports from the manifest and a param schema made from its JSON Schema by zod.
import { z } from 'zod';
import type { ExtensionManifest, ExtensionNodeType } from '../extensions.js';
import { NodeKind } from './model.js';
import { NodeLibrary, type NodeTypeSpec } from './node-library.js';

/** A manifest's node types cannot join the node library. */
export class ExtensionNodeTypeError extends Error {
  override name = 'ExtensionNodeTypeError';
}

/** `<extension id>/<node type name>`, as {@link extensionNodeTypeName} makes them. */
const EXTENSION_NODE_TYPE = /^[a-z0-9][a-z0-9-]{0,39}(\.[a-z0-9][a-z0-9-]{0,39}){0,3}\/[a-z][a-z0-9-]{0,63}$/;

/**
 * Whether `type` names a node type an extension provides. Such nodes may be stored in a shared
 * workflow whoever has the extension enabled (the teammate who has it runs them; the others see
 * which extension they need); only a run needs the extension.
 */
export function isExtensionNodeTypeName(type: string): boolean {
  return type.length <= 64 && EXTENSION_NODE_TYPE.test(type);
}

/** The extension id of an extension node type name (`acme.pdf-tools/extract-text` → `acme.pdf-tools`). */
export function extensionIdOf(type: string): string | undefined {
  return isExtensionNodeTypeName(type) ? type.slice(0, type.indexOf('/')) : undefined;
}

/** The node library name of an extension's node type. */
export function extensionNodeTypeName(extensionId: string, name: string): string {
  return `${extensionId}/${name}`;
}

/**
 * The node library entries of `manifest`'s node types. Throws {@link ExtensionNodeTypeError} when a
 * name is too long or a param schema is not a JSON Schema of an object that zod can read.
 */
export function extensionNodeTypeSpecs(manifest: ExtensionManifest): NodeTypeSpec[] {
  const kind = manifest.kind === 'instrument' ? NodeKind.instrument : NodeKind.operator;
  return manifest.nodeTypes.map((type) => {
    const name = extensionNodeTypeName(manifest.id, type.name);
    // A workflow node's `type` is at most 64 characters (the workflow model).
    if (name.length > 64) {
      throw new ExtensionNodeTypeError(
        `extension ${manifest.id}: node type "${name}" is longer than 64 characters; shorten its name`,
      );
    }
    const params = paramSchema(manifest.id, type);
    const parsed = params.safeParse({});
    return {
      type: name,
      kind,
      title: type.title,
      description: type.description || `Provided by the extension ${manifest.name} ${manifest.version}.`,
      category: type.category,
      inputs: type.inputs,
      outputs: type.outputs,
      params,
      defaults: parsed.success ? parsed.data : {},
      badge: `extension ${manifest.id}`,
    };
  });
}

function paramSchema(extensionId: string, type: ExtensionNodeType): z.ZodObject {
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(type.params as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new ExtensionNodeTypeError(
      `extension ${extensionId}: the params of node type "${type.name}" are not a JSON Schema zod can read: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  if (!(schema instanceof z.ZodObject)) {
    throw new ExtensionNodeTypeError(
      `extension ${extensionId}: the params of node type "${type.name}" must be a JSON Schema of an object with properties`,
    );
  }
  return schema;
}

/**
 * The node library with the node types of `manifests` (enabled extensions) added. Built-in types
 * always win: an extension can never replace one (its names carry its id, so it cannot collide).
 */
export function nodeLibraryWith(
  manifests: readonly ExtensionManifest[],
  base: ReadonlyMap<string, NodeTypeSpec> = NodeLibrary,
): ReadonlyMap<string, NodeTypeSpec> {
  const library = new Map(base);
  for (const manifest of manifests) {
    for (const spec of extensionNodeTypeSpecs(manifest)) {
      if (library.has(spec.type)) {
        throw new ExtensionNodeTypeError(
          `node type "${spec.type}" is provided twice: is extension ${manifest.id} enabled twice?`,
        );
      }
      library.set(spec.type, spec);
    }
  }
  return library;
}
