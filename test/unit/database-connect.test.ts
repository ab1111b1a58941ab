/** An operator command's failed database connection, in the operator's words (never the password). */
import { describe, expect, it } from "vitest";
import { connectDatabase, connectFailure, DatabaseConnectError } from "../../operator/lib/database-connect";
import { freePort } from "../../tools/local-stack/ports";

const failure = (code: string, message: string) => Object.assign(new Error(message), { code });
const stage = {
  host: "127.0.0.1",
  port: 15432,
  user: "dms_user",
  password: "secret-pw",
  ssl: { rejectUnauthorized: true, servername: "cdc.cluster-x.eu-west-1.rds.amazonaws.com" },
};

describe("connectFailure", () => {
  it("says which database, and for a certificate for another name, which name was checked", () => {
    const text = connectFailure(
      stage,
      failure("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"),
    );
    expect(text).toBe(
      "cannot connect to the database at 127.0.0.1:15432 as dms_user: Hostname/IP does not match certificate's altnames; the certificate is checked against cdc.cluster-x.eu-west-1.rds.amazonaws.com (the cluster endpoint: --db-host only changes where to connect)",
    );
    expect(connectFailure(stage, failure("CERT_HAS_EXPIRED", "certificate has expired"))).toMatch(
      /certificate has expired; the server's certificate has expired$/,
    );
  });

  it("names a connection string's host, port and user, not its password", () => {
    const text = connectFailure(
      "postgres://app%20user:secret-pw@db.local/app",
      failure("ECONNREFUSED", "refused"),
    );
    expect(text).toBe("cannot connect to the database at db.local:5432 as app user: refused");
    expect(text).not.toContain("secret-pw");
  });

  it("for a URL of one's own, says what to put in the URL (node-postgres reads no PGSSLROOTCERT)", () => {
    const url = "postgres://app:secret-pw@db.local/app?sslmode=verify-full";
    expect(
      connectFailure(
        url,
        failure(
          "SELF_SIGNED_CERT_IN_CHAIN",
          "self-signed certificate in certificate chain; if the root CA is installed locally, try running Node.js with --use-system-ca",
        ),
      ),
    ).toBe(
      "cannot connect to the database at db.local:5432 as app: self-signed certificate in certificate chain; the server's certificate is not signed by a CA Node trusts: name its CA in the URL (sslmode=verify-full&sslrootcert=<ca.pem>)",
    );
    expect(
      connectFailure(url, failure("ERR_TLS_CERT_ALTNAME_INVALID", "does not match certificate's altnames")),
    ).toMatch(/; connect by the host name the server's certificate was issued for/);
    expect(connectFailure(url, failure("CERT_HAS_EXPIRED", "certificate has expired"))).toMatch(
      /; the server's certificate has expired$/,
    );
    expect(
      connectFailure(
        url,
        new Error('no pg_hba.conf entry for host "10.0.0.9", user "app", database "app", no encryption'),
      ),
    ).toMatch(/; the server takes TLS connections only: add sslmode=verify-full to the URL/);
  });

  it("is what connectDatabase throws, with the driver's error as its cause", async () => {
    const port = await freePort(); // nothing listens there
    const error = await connectDatabase(`postgres://u:secret-pw@127.0.0.1:${port}/x`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DatabaseConnectError);
    expect((error as Error).name).toBe("DatabaseConnectError");
    expect((error as Error).message).toBe(
      `cannot connect to the database at 127.0.0.1:${port} as u: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });
});
