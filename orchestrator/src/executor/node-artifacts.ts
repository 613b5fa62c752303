// A run's values and artifacts: node outputs held in memory while a consumer may still need them,
// stored in the ArtifactStore with their provenance, read back (verified) after a restart, and
// checked before a cached or re-used result is trusted.
import {
  ArtifactCorruptError,
  ArtifactNotFoundError,
  type ArtifactStore,
  type RunState,
} from '@symphony/pit';
import {
  type ArtifactHash,
  type NodeOutputs,
  type PortSpec,
  RunErrorCode,
  type RunId,
} from '@symphony/schemas';
import { StepError, type StepValue } from '../steps/Step.js';
import type { GraphNode, RunGraph } from './graph.js';
import type { ExecutorLogger } from './options.js';
import { convertValue, decodeInput, type EncodedValue, encodeOutput } from './values.js';

type Values = Readonly<Record<string, StepValue>>;

/**
 * The artifact side of one run. A node's output values stay in memory until every consumer has
 * reached a final state (then they are dropped); a consumer whose producer's values are not in
 * memory (after a restart) reads them from the store.
 */
export class NodeArtifacts {
  readonly #values: (Values | undefined)[];
  readonly #consumersLeft: Uint32Array;
  readonly #released: Uint8Array;

  constructor(
    private readonly runId: RunId,
    private readonly graph: RunGraph,
    private readonly state: RunState,
    private readonly store: ArtifactStore,
    private readonly logger: ExecutorLogger,
    private readonly maxOutputBytes: number,
  ) {
    this.#values = new Array(graph.nodes.length);
    this.#consumersLeft = new Uint32Array(graph.nodes.map((n) => n.children.length));
    this.#released = new Uint8Array(graph.nodes.length);
  }

  /** The artifact hashes on each input port of `node`, in port order and edge order. */
  inputHashes(node: GraphNode): { port: string; hashes: ArtifactHash[] }[] {
    return node.inputs.map((input) => ({
      port: input.port,
      hashes: input.sources.map((source) => {
        const producer = this.graph.nodes[source.node]!;
        const hash = this.state.nodes.get(producer.id)?.outputs?.[source.port];
        if (hash === undefined)
          throw new Error(`node ${producer.id} has no output ${source.port}; the run state is inconsistent`);
        return hash;
      }),
    }));
  }

  /**
   * Each input port's values for `node`, converted to the port's type. Throws a `StepError`:
   * `artifact_failed` when an input's blob is missing or corrupt, `invalid_input` when it does not
   * decode. Synchronous when every value is held in memory (the common case), a promise otherwise.
   */
  inputs(node: GraphNode): Record<string, StepValue[]> | Promise<Record<string, StepValue[]>> {
    const result: Record<string, StepValue[]> = {};
    const loads: Promise<void>[] = [];
    for (const input of node.inputs) {
      const sources = input.sources;
      const values: StepValue[] = new Array(sources.length);
      result[input.port] = values;
      for (let k = 0; k < sources.length; k++) {
        const source = sources[k]!;
        const held = this.#values[source.node];
        if (held !== undefined) {
          values[k] = convertValue(held[source.port]!, source.type, input.type, input.port);
          continue;
        }
        loads.push(
          this.#load(source.node).then((loaded) => {
            values[k] = convertValue(loaded[source.port]!, source.type, input.type, input.port);
          }),
        );
      }
    }
    return loads.length === 0 ? result : Promise.all(loads).then(() => result);
  }

  /**
   * Checks and stores the outputs a step returned: every output port of the node type has a value
   * of its type, and nothing else was returned. Each is stored with its provenance (run, node, port,
   * the input hashes); resolves to the hashes. Throws a `StepError` (`step_failed` for a wrong
   * value, `artifact_failed` for too large an output or a store that fails).
   */
  async storeOutputs(
    node: GraphNode,
    outputs: unknown,
    inputs: readonly ArtifactHash[],
  ): Promise<NodeOutputs> {
    if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) {
      throw new StepError(
        RunErrorCode.stepFailed,
        `the step returned ${outputs === null ? 'null' : typeof outputs}, not an object of outputs by port`,
      );
    }
    const record = outputs as Record<string, unknown>;
    const ports = node.outputs;
    for (const name in record) {
      if (!Object.hasOwn(record, name) || hasPort(ports, name)) continue;
      throw new StepError(
        RunErrorCode.stepFailed,
        `the step returned an output “${name}” that a ${node.type} node does not have`,
      );
    }
    const encoded = new Array<EncodedValue>(ports.length);
    for (let i = 0; i < ports.length; i++) {
      encoded[i] = encodeOutput(record[ports[i]!.name], ports[i]!, this.maxOutputBytes);
    }
    const hashes: Record<string, ArtifactHash> = {};
    // Every port's put is started before any is awaited: they are stored concurrently.
    const puts = new Array<Promise<void>>(ports.length);
    for (let i = 0; i < ports.length; i++) puts[i] = this.#put(node, ports[i]!, encoded[i]!, inputs, hashes);
    await (puts.length === 1 ? puts[0] : Promise.all(puts));
    this.#values[node.index] = record as Values;
    return hashes;
  }

  /** Stores one output value with its provenance and notes its hash in `hashes`. */
  async #put(
    node: GraphNode,
    port: PortSpec,
    value: EncodedValue,
    inputs: readonly ArtifactHash[],
    hashes: Record<string, ArtifactHash>,
  ): Promise<void> {
    try {
      const info = await this.store.put(value.content, {
        mediaType: value.mediaType,
        producedBy: { runId: this.runId, nodeId: node.id, port: port.name, inputs: [...inputs] },
      });
      hashes[port.name] = info.hash;
    } catch (error) {
      throw new StepError(
        RunErrorCode.artifactFailed,
        `output “${port.name}” could not be stored: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Whether `outputs` (a cache entry's, or the old run's for a re-run) can stand for `node`'s: one
   * hash per output port, each stored and read back intact. A missing or corrupt blob is a miss,
   * reported to the logger: the node then runs, which is the designed recovery.
   */
  async adopt(node: GraphNode, outputs: NodeOutputs, what: string): Promise<boolean> {
    const ports = node.outputs;
    if (Object.keys(outputs).length !== ports.length || !ports.every((p) => outputs[p.name] !== undefined)) {
      this.logger.warn(`${what} for node ${node.id} does not match its output ports; running the node`, {
        runId: this.runId,
        nodeId: node.id,
      });
      return false;
    }
    try {
      const values: Record<string, StepValue> = {};
      await Promise.all(
        ports.map(async (port) => {
          const bytes = await this.store.get(outputs[port.name]!);
          values[port.name] = decodeInput(bytes, port.type, port.type, port.name);
        }),
      );
      this.#values[node.index] = values;
      return true;
    } catch (error) {
      const problem =
        error instanceof ArtifactCorruptError
          ? 'an output artifact is corrupt'
          : error instanceof ArtifactNotFoundError
            ? 'an output artifact is missing'
            : 'an output artifact could not be read';
      this.logger.warn(`${what} for node ${node.id} cannot be used: ${problem}; running the node again`, {
        runId: this.runId,
        nodeId: node.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }

  /** A node reached a final state: its producers' values are dropped once no consumer needs them. */
  released(node: GraphNode): void {
    if (this.#released[node.index] === 1) return;
    this.#released[node.index] = 1;
    for (const parent of node.parents) {
      if (--this.#consumersLeft[parent]! === 0) this.#values[parent] = undefined;
    }
    if (node.children.length === 0) this.#values[node.index] = undefined;
  }

  /** Reads a producer's outputs from the store (after a restart), verified, and keeps them. */
  async #load(index: number): Promise<Values> {
    const producer = this.graph.nodes[index]!;
    const outputs = this.state.nodes.get(producer.id)?.outputs ?? {};
    const values: Record<string, StepValue> = {};
    await Promise.all(
      producer.outputs.map(async (port) => {
        const hash = outputs[port.name];
        if (hash === undefined) return;
        let bytes: Uint8Array;
        try {
          bytes = await this.store.get(hash);
        } catch (error) {
          throw new StepError(
            RunErrorCode.artifactFailed,
            `the input from node ${producer.id} (output “${port.name}”) cannot be read: ${error instanceof Error ? error.message : String(error)}; re-run from ${producer.id}`,
          );
        }
        values[port.name] = decodeInput(bytes, port.type, port.type, port.name);
      }),
    );
    this.#values[index] ??= values;
    return values;
  }
}

function hasPort(ports: readonly PortSpec[], name: string): boolean {
  for (const port of ports) if (port.name === name) return true;
  return false;
}
