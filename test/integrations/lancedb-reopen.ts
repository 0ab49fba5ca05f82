/**
 * Child process of test/integrations/lancedb.test.ts: opens an existing table in a
 * fresh process (a fresh LanceDB registry) and prints, as JSON, the texts of its
 * top hits for a query, or the error that opening or searching raised.
 *
 * argv: folder, table name, query, "register" or "no-register".
 */
import * as lancedb from "@lancedb/lancedb";
import { registerModel2Vec } from "../../src/integrations/lancedb.js";

const [folder, name, query, register] = process.argv.slice(2) as [string, string, string, string];
try {
  if (register === "register") await registerModel2Vec();
  const db = await lancedb.connect(folder);
  const table = await db.openTable(name);
  const hits = await table.search(query).limit(5).toArray();
  console.log(JSON.stringify({ texts: hits.map((hit) => hit.text as string) }));
  table.close();
  db.close();
} catch (error) {
  console.log(JSON.stringify({ error: String(error) }));
}
