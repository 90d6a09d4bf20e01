/** PEM certificates as the server reads them: a CA bundle, a serving chain, an issuer. */
import { X509Certificate } from "node:crypto";

/** A certificate (maybe followed by its chain) and its private key, both PEM. */
export interface PemKeyPair {
  cert: string;
  key: string;
}

export class CertificateError extends Error {
  override name = "CertificateError";
}

export const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Every certificate of a PEM bundle, in order. Throws CertificateError (naming `what`) when the text holds no
 * certificate or one that does not parse: a half-valid CA bundle is a configuration error, not a smaller bundle.
 */
export function parseCertificateBundle(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new CertificateError(`${what} holds no PEM certificate`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new CertificateError(`${what}: certificate ${i + 1} is invalid: ${errorText(err)}`);
    }
  });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
