import { describe, expect, it } from "vitest";
import { describeOpenTransactions, type OpenTransaction } from "../../../tools/local-stack/capture/slot-wait";

const open = (pid: number): OpenTransaction => ({
  pid,
  database: "shop",
  user: "app",
  state: "active",
  seconds: 12,
  query: "UPDATE orders SET status = 'x'",
});

describe("what a replication slot's creation waits for", () => {
  it("names at most five open transactions, and how many more", () => {
    const line = describeOpenTransactions("cdc_local_shop", [1, 2, 3, 4, 5, 6, 7].map(open));
    expect(line).toContain(
      `pid 1 (database shop, user app, open 12 s, active: "UPDATE orders SET status = 'x'"); pid 2`,
    );
    expect(line).toContain("pid 5 (");
    expect(line).not.toContain("pid 6 (");
    expect(line).toContain(" and 2 more; commit or roll them back (or SELECT pg_terminate_backend(<pid>))");
  });

  it("says why it names none to a user that cannot see other users' sessions", () => {
    expect(describeOpenTransactions("cdc_local_shop", [])).toMatch(
      /waits for the transactions open on the server to end \(none visible to this user: .*pg_read_all_stats\)/,
    );
  });
});
