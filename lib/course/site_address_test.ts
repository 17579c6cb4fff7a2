import assert from "node:assert/strict";
import { join } from "node:path";
import { announceSite, liveSiteUrl, SITE_ALIVE_PATH, SITE_PATH } from "@lib/course/site_address.ts";

/** A stand-in site that answers the alive path with `pid`. */
function fakeSite(pid: number): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname === SITE_ALIVE_PATH
        ? Response.json({ pid })
        : new Response("no", { status: 404 }),
  );
}

Deno.test("liveSiteUrl: only a running site that answers with the pid written is believed", async () => {
  const root = await Deno.makeTempDir({ prefix: "site_address_test_" });
  const server = fakeSite(Deno.pid);
  const url = `http://127.0.0.1:${server.addr.port}`;
  try {
    assert.equal(await liveSiteUrl(root), undefined, "no file");
    const remove = await announceSite(root, url + "/");
    assert.equal(await liveSiteUrl(root), url);
    await remove();
    await assert.rejects(Deno.stat(join(root, SITE_PATH)), Deno.errors.NotFound);
    // Another process's file at an address where this site answers: not this site's.
    await Deno.writeTextFile(join(root, SITE_PATH), JSON.stringify({ url, pid: Deno.pid + 1 }));
    assert.equal(await liveSiteUrl(root), undefined);
    await Deno.writeTextFile(join(root, SITE_PATH), "{ not json");
    assert.equal(await liveSiteUrl(root), undefined, "a damaged file");
  } finally {
    await server.shutdown();
  }
  try {
    // The site was killed: its file is left, nothing listens at its address.
    await Deno.writeTextFile(join(root, SITE_PATH), JSON.stringify({ url, pid: Deno.pid }));
    assert.equal(await liveSiteUrl(root), undefined);
    // A second site took over the file: the first one's removal leaves it.
    const remove = await announceSite(root, url);
    await Deno.writeTextFile(join(root, SITE_PATH), JSON.stringify({ url: url + "1", pid: 1 }));
    await remove();
    assert.ok((await Deno.stat(join(root, SITE_PATH))).isFile);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
