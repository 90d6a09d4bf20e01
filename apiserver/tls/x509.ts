/**
 * @peculiar/x509, loaded after reflect-metadata (a static import could be hoisted above it: 2.x registers its
 * classes with tsyringe, which needs the Reflect metadata API at load). Other modules take it from here rather
 * than importing the package themselves.
 */
import { webcrypto } from "node:crypto";
import "reflect-metadata";
import type * as X509 from "@peculiar/x509";

export const x509: typeof X509 = await import("@peculiar/x509");
// Node 20 has WebCrypto on globalThis, but say so explicitly: @peculiar/x509 needs a provider to sign.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);
