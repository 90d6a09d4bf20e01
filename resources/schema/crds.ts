/**
 * Loads the upstream CustomResourceDefinitions the server serves (and the About API one the tests install on
 * members). They are read once, on first use, from `resources/crds/` (or `$CLUSTERSET_CRDS_DIR`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { JSONSchemaProps } from "./types.js";

export interface CRDNames {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
}

export interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: JSONSchemaProps;
  subresources: { status?: boolean; scale?: boolean };
}

export interface CRD {
  /** metadata.name, e.g. `works.multicluster.x-k8s.io`. */
  name: string;
  group: string;
  scope: "Namespaced" | "Cluster";
  names: CRDNames;
  versions: CRDVersion[];
  /** The file it came from, for messages. */
  file: string;
}

export const CRD_FILES = {
  clusterprofiles: "multicluster.x-k8s.io_clusterprofiles.yaml",
  works: "multicluster.x-k8s.io_works.yaml",
  placementdecisions: "multicluster.x-k8s.io_placementdecisions.yaml",
  clusterproperties: "about.k8s.io_clusterproperties.yaml",
} as const;

/**
 * Where the YAML files are. From source (run by tsx or the test runner) this file is resources/schema/crds.ts, so they are in
 * ../crds; compiled by `tsc -p tsconfig.build.json` it is dist/resources/schema/crds.js and tsc does not copy
 * YAML, so the repository's resources/crds (three levels up) is the fallback.
 */
export function crdsDir(): string {
  const fromEnv = process.env.CLUSTERSET_CRDS_DIR;
  if (fromEnv) return resolve(fromEnv);
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "..", "crds"), join(here, "..", "..", "..", "resources", "crds")];
  for (const dir of candidates) if (existsSync(join(dir, CRD_FILES.clusterprofiles))) return dir;
  throw new Error(`upstream CRDs not found (looked in ${candidates.join(", ")}); set CLUSTERSET_CRDS_DIR`);
}

/** Absolute path of one CRD file, e.g. for installing the About API CRD on a member. */
export function crdPath(file: string): string {
  return join(crdsDir(), file);
}

const cache = new Map<string, CRD>();

export function loadCRD(file: string): CRD {
  const path = crdPath(file);
  let crd = cache.get(path);
  if (!crd) {
    crd = parseCRD(readFileSync(path, "utf8"), file);
    cache.set(path, crd);
  }
  return crd;
}

/** Parses one CRD document, filling the defaults the API server would (listKind, empty lists). */
export function parseCRD(text: string, file: string): CRD {
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1) throw new Error(`${file}: expected one YAML document, found ${docs.length}`);
  const doc = docs[0]!;
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  const raw = doc.toJS() as RawCRD;
  if (raw?.kind !== "CustomResourceDefinition") throw new Error(`${file}: not a CustomResourceDefinition`);
  const spec = raw.spec;
  const names = spec.names;
  return {
    name: raw.metadata.name,
    group: spec.group,
    scope: spec.scope,
    file,
    names: {
      kind: names.kind,
      // apiextensions defaults listKind to <kind>List (the Work CRD leaves it out).
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
    },
    versions: spec.versions.map((v) => {
      const schema = v.schema?.openAPIV3Schema;
      if (!schema) throw new Error(`${file}: version ${v.name} has no openAPIV3Schema`);
      return {
        name: v.name,
        served: v.served,
        storage: v.storage,
        schema,
        subresources: { status: v.subresources?.status !== undefined, scale: v.subresources?.scale !== undefined },
      };
    }),
  };
}

interface RawCRD {
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: "Namespaced" | "Cluster";
    names: Partial<CRDNames> & { kind: string; plural: string };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema?: JSONSchemaProps };
      subresources?: { status?: object; scale?: object };
    }[];
  };
}
