/**
 * Compares our generated protocol schema with a reference one: everything the reference has
 * must be in ours with a compatible shape, and anything ours adds must exist in a later
 * reference version at the same place. Works on the bundle documents
 * (`codex_app_server_protocol.schemas.json`) so it needs no file layout knowledge.
 *
 * @module
 */

/** One JSON Schema node. */
type Node = unknown;
type Obj = Record<string, unknown>;

/** A definition name → schema map, namespaces flattened. */
export type FlatDefinitions = Map<string, Node>;

/** Something ours gets wrong, with where. */
export interface Problem {
  path: string;
  message: string;
}

/** What the comparison found. */
export interface CompareResult {
  checks: number;
  problems: Problem[];
  /** Reference definitions compared (message unions excluded). */
  definitions: number;
  /** Reference methods compared, per message union. */
  methods: Record<string, number>;
}

/** Reference items we deliberately do not implement, each with the reason. */
export interface Exclusions {
  /** Definition name → reason. Not required in ours, and not followed. */
  definitions: Record<string, string>;
  /** Method name → reason, for the three message unions. */
  methods: Record<string, string>;
}

/** The unions whose variants are compared method by method. */
export const MESSAGE_UNIONS = ["ClientRequest", "ServerNotification", "ServerRequest"] as const;

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * Where the comparison starts: the message unions, the envelope, every `*Params`,
 * `*Response` and `*Notification`, and every definition of the `v2` namespace (which also
 * covers its unreferenced helper types).
 */
export function scopeRoots(bundle: unknown): string[] {
  const defs = isObj(bundle) && isObj(bundle["definitions"]) ? bundle["definitions"] : {};
  const v2 = isObj(defs["v2"]) ? Object.keys(defs["v2"]) : [];
  const message =
    /(Params|Response|Notification)$|^JSONRPC|^RequestId$|^(Client|Server)(Request|Notification)$/;
  return [...Object.keys(defs).filter((n) => n !== "v2" && message.test(n)), ...v2];
}

/** Flattens a bundle's `definitions` (root plus `v2` namespace). */
export function flattenBundle(bundle: unknown): FlatDefinitions {
  const out: FlatDefinitions = new Map();
  const defs = isObj(bundle) && isObj(bundle["definitions"]) ? bundle["definitions"] : {};
  for (const [name, def] of Object.entries(defs)) {
    if (name === "v2" && isObj(def)) {
      for (const [n2, d2] of Object.entries(def)) out.set(n2, d2);
    } else out.set(name, def);
  }
  return out;
}

function refName(node: Node): string | null {
  return isObj(node) && typeof node["$ref"] === "string"
    ? (node["$ref"] as string).split("/").pop()!
    : null;
}

/** A node reduced to what matters for compatibility. */
interface Shape {
  nullable: boolean;
  any: boolean;
  ref: string | null;
  types: Set<string>;
  enumValues: Set<string>;
  properties: Map<string, Node>;
  required: Set<string>;
  items: Node | undefined;
  additional: Node | undefined;
  /** Object variants of a union, keyed by tag value / single key / index. */
  variants: Map<string, Node>;
}

/** Normalises `$ref`/`allOf`/`anyOf [X, null]`/`type: [X,"null"]`/`oneOf`/`const`. */
export function shapeOf(node: Node): Shape {
  const s: Shape = {
    nullable: false,
    any: false,
    ref: null,
    types: new Set(),
    enumValues: new Set(),
    properties: new Map(),
    required: new Set(),
    items: undefined,
    additional: undefined,
    variants: new Map(),
  };
  absorb(s, node, true);
  if (s.types.has("null")) {
    s.types.delete("null");
    s.nullable = true;
  }
  return s;
}

function absorb(s: Shape, node: Node, top: boolean): void {
  if (node === true || (isObj(node) && Object.keys(node).every(isAnnotation))) {
    s.any = true;
    return;
  }
  if (!isObj(node)) return;
  const ref = refName(node);
  if (ref) {
    if (top && s.ref === null) s.ref = ref;
    else s.variants.set(`ref:${ref}`, node);
    return;
  }
  const t = node["type"];
  for (const ty of Array.isArray(t) ? t : t === undefined ? [] : [t]) {
    s.types.add(ty === "integer" ? "number" : String(ty));
  }
  for (const v of (node["enum"] as unknown[] | undefined) ?? []) {
    if (v === null) s.nullable = true;
    else s.enumValues.add(String(v));
  }
  if ("const" in node) s.enumValues.add(String(node["const"]));
  if (isObj(node["properties"])) {
    for (const [k, v] of Object.entries(node["properties"])) s.properties.set(k, v);
  }
  for (const r of (node["required"] as string[] | undefined) ?? []) s.required.add(r);
  if ("items" in node) s.items = node["items"];
  if ("additionalProperties" in node && node["additionalProperties"] !== false) {
    s.additional = node["additionalProperties"];
  }
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    const alone = list.filter((v) => !(isObj(v) && v["type"] === "null"));
    if (alone.length < list.length) s.nullable = true;
    if (alone.length === 1 && top) {
      absorb(s, alone[0], true);
      continue;
    }
    alone.forEach((v, i) => addVariant(s, v, i));
  }
}

function isAnnotation(key: string): boolean {
  return ["description", "title", "default", "$schema", "writeOnly", "examples"].includes(key);
}

function addVariant(s: Shape, v: Node, index: number): void {
  if (!isObj(v)) return;
  const ref = refName(v);
  if (ref) return void s.variants.set(`ref:${ref}`, v);
  const vt = v["type"];
  if (Object.keys(v).every((k) => k === "type" || k === "format" || isAnnotation(k))) {
    for (const t of Array.isArray(vt) ? vt : [vt]) {
      s.types.add(t === "integer" ? "number" : String(t));
    }
    return;
  }
  if (vt === "string" && (Array.isArray(v["enum"]) || "const" in v)) {
    s.types.add("string");
    const values = Array.isArray(v["enum"]) ? v["enum"] : [v["const"]];
    for (const e of values) s.enumValues.add(String(e));
    return;
  }
  if (vt === "object" && isObj(v["properties"])) {
    s.types.add("object");
    return void s.variants.set(variantKey(v, index), v);
  }
  s.variants.set(`#${index}`, v);
}

/** Tagged variants by their single-valued property, externally tagged ones by their key. */
function variantKey(v: Obj, index: number): string {
  const props = v["properties"] as Obj;
  const required = (v["required"] as string[] | undefined) ?? [];
  for (const [k, p] of Object.entries(props)) {
    if (!isObj(p)) continue;
    const e = Array.isArray(p["enum"]) && p["enum"].length === 1 ? p["enum"][0] : p["const"];
    if (e !== undefined && required.includes(k)) return `${k}=${String(e)}`;
  }
  const keys = Object.keys(props);
  return keys.length === 1 ? `key:${keys[0]}` : `#${index}`;
}

/** Compares reference vs ours (and the later reference for allowed additions). */
export class SchemaComparer {
  checks = 0;
  problems: Problem[] = [];
  private compared = new Set<string>();
  private methodCounts: Record<string, number> = {};

  constructor(
    private ref: FlatDefinitions,
    private ours: FlatDefinitions,
    private later: FlatDefinitions | null,
    private exclusions: Exclusions,
    private roots: string[] = [...ref.keys()],
  ) {}

  private check(ok: boolean, path: string, message: string): void {
    this.checks++;
    if (!ok) this.problems.push({ path, message });
  }

  /** Names reachable from the reference's message roots, minus the exclusions. */
  scope(): string[] {
    const seen = new Set<string>();
    const stack = [...this.roots];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name) || Object.hasOwn(this.exclusions.definitions, name)) continue;
      if (!this.ref.has(name)) continue;
      seen.add(name);
      if ((MESSAGE_UNIONS as readonly string[]).includes(name)) continue;
      collectRefs(this.ref.get(name), stack);
    }
    return [...seen].sort();
  }

  /** Runs every check and returns the result. */
  run(): CompareResult {
    for (const name of this.scope()) {
      if ((MESSAGE_UNIONS as readonly string[]).includes(name)) this.compareUnion(name);
      else this.compareDefinition(name);
    }
    for (const name of this.ours.keys()) {
      if (this.ref.has(name)) continue;
      this.check(this.later?.has(name) ?? false, name, "definition not in the reference");
    }
    return {
      checks: this.checks,
      problems: this.problems,
      definitions: this.compared.size,
      methods: this.methodCounts,
    };
  }

  private compareDefinition(name: string): void {
    if (this.compared.has(name)) return;
    this.compared.add(name);
    const ours = this.ours.get(name);
    this.check(ours !== undefined, name, "definition missing");
    if (ours === undefined) return;
    this.compareNode(this.ref.get(name), ours, this.later?.get(name), name);
  }

  private compareUnion(name: string): void {
    const methods = (defs: FlatDefinitions | null) => {
      const out = new Map<string, Obj>();
      const u = defs?.get(name);
      for (const v of isObj(u) && Array.isArray(u["oneOf"]) ? u["oneOf"] : []) {
        const m = isObj(v) && isObj(v["properties"]) ? v["properties"]["method"] : undefined;
        const e = isObj(m) ? (Array.isArray(m["enum"]) ? m["enum"][0] : m["const"]) : undefined;
        if (typeof e === "string") out.set(e, v as Obj);
      }
      return out;
    };
    const [ref, ours, later] = [methods(this.ref), methods(this.ours), methods(this.later)];
    for (const [method, variant] of ref) {
      if (Object.hasOwn(this.exclusions.methods, method)) continue;
      const path = `${name}[${method}]`;
      this.methodCounts[name] = (this.methodCounts[name] ?? 0) + 1;
      this.check(ours.has(method), path, "method missing");
      const mine = ours.get(method);
      if (mine) this.compareNode(variant, mine, later.get(method), path);
    }
    for (const method of ours.keys()) {
      if (!ref.has(method)) {
        this.check(later.has(method), `${name}[${method}]`, "method not in the reference");
      }
    }
  }

  /** Structural comparison of one node; `later` is the same place in the later reference. */
  compareNode(refNode: Node, ourNode: Node, laterNode: Node, path: string): void {
    const r = shapeOf(refNode);
    const o = shapeOf(ourNode);
    const l = laterNode === undefined ? null : shapeOf(laterNode);
    if (r.any) return; // the reference accepts anything; whatever we declare is a refinement
    if (o.any) return; // ours is looser than the reference: still wire compatible
    if (r.ref !== null || o.ref !== null) {
      if (r.ref !== null && r.ref === o.ref) {
        this.check(true, path, "");
        this.checkNullable(r, o, l, path);
        if (!Object.hasOwn(this.exclusions.definitions, r.ref)) this.compareDefinition(r.ref);
        return;
      }
      const rr = r.ref !== null ? this.ref.get(r.ref) : refNode;
      const oo = o.ref !== null ? this.ours.get(o.ref) : ourNode;
      const ll = l?.ref != null ? this.later?.get(l.ref) : laterNode;
      this.check(
        r.ref === null || o.ref === null,
        path,
        `refers to ${o.ref} where the reference has ${r.ref}`,
      );
      if (r.ref === null || o.ref === null) {
        this.checkNullable(r, o, l, path);
        this.compareNode(rr, oo, ll, path);
      }
      return;
    }
    this.checkNullable(r, o, l, path);
    for (const t of r.types) {
      this.check(o.types.has(t), path, `type ${t} missing (ours: ${[...o.types].join("|")})`);
    }
    for (const t of o.types) {
      if (!r.types.has(t)) this.allowed(l?.types.has(t), path, `extra type ${t}`);
    }
    for (const e of r.enumValues) this.check(o.enumValues.has(e), path, `enum value ${e} missing`);
    for (const e of o.enumValues) {
      if (!r.enumValues.has(e)) this.allowed(l?.enumValues.has(e), path, `extra enum value ${e}`);
    }
    for (const [k, rp] of r.properties) {
      const p = `${path}.${k}`;
      this.check(o.properties.has(k), p, "property missing");
      if (o.properties.has(k)) this.compareNode(rp, o.properties.get(k), l?.properties.get(k), p);
    }
    for (const k of o.properties.keys()) {
      if (!r.properties.has(k)) {
        this.allowed(l?.properties.has(k), `${path}.${k}`, "extra property");
      }
    }
    for (const k of r.required) this.check(o.required.has(k), `${path}.${k}`, "should be required");
    for (const k of o.required) {
      if (!r.required.has(k)) this.allowed(l?.required.has(k), `${path}.${k}`, "extra required");
    }
    if (r.items !== undefined) {
      this.check(o.items !== undefined, path, "array items missing");
      if (o.items !== undefined) this.compareNode(r.items, o.items, l?.items, `${path}[]`);
    }
    if (isObj(r.additional) && o.additional !== undefined) {
      this.compareNode(r.additional, o.additional, l?.additional, `${path}{}`);
    }
    for (const [key, rv] of r.variants) {
      const p = `${path}<${key}>`;
      this.check(o.variants.has(key), p, "union variant missing");
      if (o.variants.has(key)) this.compareNode(rv, o.variants.get(key), l?.variants.get(key), p);
    }
    for (const key of o.variants.keys()) {
      if (!r.variants.has(key)) {
        this.allowed(l?.variants.has(key), `${path}<${key}>`, "extra variant");
      }
    }
  }

  private checkNullable(r: Shape, o: Shape, l: Shape | null, path: string): void {
    if (r.nullable) this.check(o.nullable, path, "should accept null");
    else if (o.nullable) this.allowed(l?.nullable, path, "accepts null, the reference does not");
  }

  /** Something ours has beyond the reference: fine only if the later version has it too. */
  private allowed(inLater: boolean | undefined, path: string, what: string): void {
    this.check(inLater === true, path, `${what} (not in the later reference either)`);
  }
}

function collectRefs(node: Node, into: string[]): void {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, into));
  else if (isObj(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") into.push(v.split("/").pop()!);
      else collectRefs(v, into);
    }
  }
}

/** Convenience wrapper: compare three bundle documents. */
export function compareBundles(
  reference: unknown,
  ours: unknown,
  later: unknown | null,
  exclusions: Exclusions,
): CompareResult {
  const comparer = new SchemaComparer(
    flattenBundle(reference),
    flattenBundle(ours),
    later === null ? null : flattenBundle(later),
    exclusions,
    scopeRoots(reference),
  );
  return comparer.run();
}
