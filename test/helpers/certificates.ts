/**
 * Certificates made with openssl for TLS tests, in `dir`: a CA (`ca.pem`, `ca.key`) and a server
 * certificate it signs for `name` (`server.crt`, `server.key`, the name as its subjectAltName), plus a CA
 * that signs nothing here (`other.pem`), for a certificate from another CA.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export function certificates(dir: string, name: string): void {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const days = ["-days", "2"];
  const ca = (key: string, cert: string, cn: string) =>
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      ...days,
      "-subj",
      `/CN=${cn}`,
    );
  ca("ca.key", "ca.pem", "Test CA");
  ca("other.key", "other.pem", "Another CA");
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    `/CN=${name}`,
  );
  const subjectAltName = /^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`;
  writeFileSync(join(dir, "san.cnf"), `subjectAltName=${subjectAltName}\n`);
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    ...days,
    "-extfile",
    "san.cnf",
  );
}
