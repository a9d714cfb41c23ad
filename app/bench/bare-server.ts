// The benchmark's baseline: the list endpoint's query and JSON shaping on a bare node:http
// server with a pg pool of the app's size, and nothing else (no auth, validation, logging,
// metrics or security headers). What the app adds on top is the price of being a real product.
import { createServer } from "node:http";
import pg from "pg";
import { listQuery, presentTransaction } from "../src/routes/transactions/read.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
pool.on("error", () => undefined); // an idle client lost at the end of the run
process.on("SIGTERM", () => {
  server.close();
  void pool.end();
});
type Row = Parameters<typeof presentTransaction>[0];

const server = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.end("{}");
    return;
  }
  const limit = Number(new URL(req.url ?? "/", "http://x").searchParams.get("limit") ?? 50);
  const { text, values } = listQuery({ take: limit + 1 });
  pool.query<Row>(text, values).then(
    ({ rows }) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ data: rows.slice(0, limit).map(presentTransaction) }));
    },
    (error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    },
  );
});
server.listen(Number(process.env.PORT), "127.0.0.1");
