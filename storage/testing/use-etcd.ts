/** One throwaway etcd for a test file: started before its tests, stopped after (by pid). */
import { afterAll, beforeAll } from "vitest";
import { startEtcd, type EtcdServer } from "./etcd-server.js";

export function useEtcdServer(): { server: () => EtcdServer; endpoint: () => string } {
  let etcd: EtcdServer | undefined;
  beforeAll(async () => {
    etcd = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await etcd?.stop();
  });
  const server = () => {
    if (etcd === undefined) throw new Error("etcd did not start");
    return etcd;
  };
  return { server, endpoint: () => server().endpoint };
}
