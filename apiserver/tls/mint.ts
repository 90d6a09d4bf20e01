/**
 * Minting certificates: CAs and leaf certificates with fresh ECDSA P-256 keys, signed by an issuer or by
 * themselves. The server mints its self-signed serving certificate with it (serving.ts); tests mint their
 * fixtures (front proxy, client CAs, expired and wrong-usage certificates) with the same code.
 */
import { createPrivateKey, webcrypto, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import type * as X509 from "@peculiar/x509";
import { CertificateError, PEM_CERT, type PemKeyPair } from "./pem.js";
import { x509 } from "./x509.js";

export type { PemKeyPair } from "./pem.js";

const subtle = webcrypto.subtle;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

export type KeyPurpose = "serverAuth" | "clientAuth";

export interface CertificateSpec {
  commonName: string;
  /** Subject O values; for client certificates these are the user's groups. */
  organizations?: string[];
  /** Subject alternative names: DNS names and IP addresses mixed; each is sorted by its form. */
  hosts?: string[];
  /** A CA certificate (basicConstraints CA, keyCertSign) instead of a leaf. */
  isCA?: boolean;
  /** Extended key usages of a leaf; default serverAuth. Empty: no EKU extension at all (valid for any use). */
  usages?: KeyPurpose[];
  /** Default: an hour ago (clock skew between us and the hub). */
  notBefore?: Date;
  /** Default: 10 years for a CA, 1 year for a leaf. */
  notAfter?: Date;
}

const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

/**
 * Creates a certificate with a fresh ECDSA P-256 key, signed by `issuer` or, without one, by itself.
 * `issuer` may hold an EC (P-256/P-384) or RSA key in PKCS#8, SEC1 or PKCS#1 PEM.
 */
export async function createCertificate(spec: CertificateSpec, issuer?: PemKeyPair): Promise<PemKeyPair> {
  const keys = (await subtle.generateKey(EC_P256, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const notBefore = spec.notBefore ?? new Date(now - HOUR);
  const notAfter = spec.notAfter ?? new Date(now + (spec.isCA ? 3650 : 365) * DAY);
  const subject = subjectName(spec.commonName, spec.organizations ?? []);

  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(spec.isCA === true, undefined, true),
    new x509.KeyUsagesExtension(
      spec.isCA
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
  ];
  const usages = spec.usages ?? (spec.isCA ? [] : ["serverAuth"]);
  if (usages.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(usages.map((u) => x509.ExtendedKeyUsage[u])));
  }
  if (spec.hosts && spec.hosts.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        spec.hosts.map((h) => ({ type: isIP(h) ? ("ip" as const) : ("dns" as const), value: h })),
      ),
    );
  }

  let cert: X509.X509Certificate;
  if (issuer) {
    const issuerCert = new x509.X509Certificate(firstPemCertificate(issuer.cert));
    const signer = await importSigningKey(issuer.key);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      subject,
      issuer: issuerCert.subjectName.toJSON(),
      notBefore,
      notAfter,
      extensions,
      publicKey: keys.publicKey as unknown as CryptoKey,
      signingKey: signer.key as unknown as CryptoKey,
      signingAlgorithm: signer.algorithm,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: subject,
      notBefore,
      notAfter,
      extensions,
      keys: keys as unknown as CryptoKeyPair,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
    });
  }
  const pkcs8 = await subtle.exportKey("pkcs8", keys.privateKey);
  return { cert: cert.toString("pem") + "\n", key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n" };
}

/** A self-signed CA. */
export function createCA(commonName: string, spec: Omit<CertificateSpec, "commonName" | "isCA"> = {}): Promise<PemKeyPair> {
  return createCertificate({ ...spec, commonName, isCA: true });
}

function subjectName(commonName: string, organizations: string[]): X509.JsonName {
  // One RDN per value, organizations first, as Go's pkix.Name writes them.
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

function firstPemCertificate(pem: string): string {
  const first = pem.match(PEM_CERT)?.[0];
  if (!first) throw new CertificateError("issuer holds no PEM certificate");
  return first;
}

/** Imports a PEM private key into WebCrypto for signing, whatever its PEM flavour (OpenSSL writes several). */
async function importSigningKey(
  pem: string,
): Promise<{ key: webcrypto.CryptoKey; algorithm: Algorithm | EcdsaParams }> {
  const ko: KeyObject = createPrivateKey(pem);
  const der = ko.export({ format: "der", type: "pkcs8" });
  if (ko.asymmetricKeyType === "ec") {
    const curve = ko.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === "prime256v1" ? "P-256" : curve === "secp384r1" ? "P-384" : undefined;
    if (!namedCurve) throw new CertificateError(`unsupported issuer key curve ${curve ?? "?"}`);
    const key = await subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve }, false, ["sign"]);
    return { key, algorithm: { name: "ECDSA", hash: namedCurve === "P-256" ? "SHA-256" : "SHA-384" } as EcdsaParams };
  }
  if (ko.asymmetricKeyType === "rsa") {
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const key = await subtle.importKey("pkcs8", der, alg, false, ["sign"]);
    return { key, algorithm: alg };
  }
  throw new CertificateError(`unsupported issuer key type ${ko.asymmetricKeyType ?? "?"}`);
}
