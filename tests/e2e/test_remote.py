"""The remote cache against a real server: nginx (WebDAV PUT) on 127.0.0.1,
started as a child of the test with every file in a temporary directory.
Two clones at different paths with separate local caches share compiles
through it; a read-only client never writes; a server that dies, is not
there or answers 500 costs a bounded delay and no verdict; entries damaged
on the server are rebuilt; the authentication header reaches the server and
no file of ours."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

from clones import VERDICTS, WYN_COMPILES, Clone, stats
from wyn_e2e import TOOLS, ctest_properties
import webdav_server
from webdav_server import WebDavServer, free_port

TOKEN = "Bearer s3cret-token-4f1d9e"


class Nginx(WebDavServer):
    """The server of one test, stopped and deleted when it ends."""

    def __init__(self, test):
        if not webdav_server.available():
            raise unittest.SkipTest("nginx is not installed (Debian: nginx-light)")
        dir = tempfile.mkdtemp(prefix="wyn-e2e-nginx-")
        test.addCleanup(shutil.rmtree, dir, ignore_errors=True)
        try:
            super().__init__(dir)
        except RuntimeError as e:
            raise AssertionError(str(e))
        test.addCleanup(self.stop)

    def entries(self):
        return self.files("wyn/ac")


# A server on a free port of 127.0.0.1; the unreachable-server case needs a
# port where nothing listens. One such case at a time.
@ctest_properties(resource_lock=["server-port"])
class RemoteCache(unittest.TestCase):
    def setUp(self):
        if not TOOLS:
            raise unittest.SkipTest("WYN_TOOLS_DIR is not set: run through ctest")
        self.root = tempfile.mkdtemp(prefix="wyn-e2e-remote-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)

    def clone(self, relative):
        """A clone with a local cache of its own."""
        return Clone(self.root, relative, os.path.join(self.root, relative.replace("/", "_") + "-cache"))

    def timed_run(self, clone, url):
        """Verdicts, seconds, and the build's output."""
        start = time.monotonic()
        # One compile at a time: which steps meet the failure is then certain.
        clone.configure(f"-DWYN_REMOTE_CACHE={url}", "-DWYN_COMPILE_JOBS=1")
        output = clone.build().stdout
        clone.ctest()
        return clone.verdicts(), time.monotonic() - start, output

    def test_a_second_clone_compiles_nothing_and_gets_the_same_verdicts(self):
        server = Nginx(self)
        first, second = self.clone("first"), self.clone("elsewhere/second")
        self.assertEqual(first.full_run(None, f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        self.assertEqual(first.wyn_compiles(), WYN_COMPILES)
        self.assertGreater(first.cc_runs(), 0)
        self.assertEqual(len(server.entries()), WYN_COMPILES)
        self.assertEqual(stats(first.cache_dir)["remote"]["uploads"], WYN_COMPILES)
        if os.path.isdir(os.path.join(first.cache_dir, "toolchain")):
            # The toolchain cache is on: ccache shares its objects through the same server.
            self.assertGreater(len(server.files("ccache")), 0)
        self.assertEqual(second.full_run(None, f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        self.assertEqual(second.wyn_compiles(), 0, "the Wyn compiler ran in the second clone")
        self.assertEqual(second.cc_runs(), 0, "the C compiler ran in the second clone")
        remote = stats(second.cache_dir)["remote"]
        self.assertEqual((remote["hits"], remote["errors"], remote["corrupt"]), (WYN_COMPILES, 0, 0))
        # One step fetched every entry of the suite in one batch; the others
        # found theirs in the local cache (wyn-compile, without libcurl).
        records = second.cache_records().values()
        batches = [r for r in records if "remote_batch_keys" in r]
        self.assertEqual([r["remote_batch_keys"] for r in batches], [WYN_COMPILES], batches)
        self.assertEqual(sum(r["lookup"] == "hit" for r in records), WYN_COMPILES)
        self.assertEqual(server.access_log().count("GET /wyn/ac/"), 2 * WYN_COMPILES)
        # Filled the local cache: a third build directory of the second clone needs no server.
        server.stop()
        shutil.rmtree(second.build_dir)
        self.assertEqual(second.full_run(None, "-DWYN_REMOTE_CACHE="), VERDICTS)
        self.assertEqual(second.wyn_compiles(), 0)

    def test_a_read_only_client_never_writes(self):
        server = Nginx(self)
        client = self.clone("reader")
        self.assertEqual(client.full_run({"WYN_REMOTE_CACHE_MODE": "read-only"},
                                         f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        self.assertEqual(client.wyn_compiles(), WYN_COMPILES)
        self.assertEqual(server.files(), [])
        self.assertNotIn("PUT", server.access_log())
        self.assertEqual(stats(client.cache_dir)["remote"]["misses"], WYN_COMPILES)

    def check_down(self, url, prepare=None):
        """A build whose remote fails: same verdicts, said once, bounded delay."""
        client = self.clone("client")
        if prepare:
            prepare(client)
        verdicts, seconds, output = self.timed_run(client, url)
        self.assertEqual(verdicts, VERDICTS)
        # Said once, without the secret parts of the URL.
        self.assertEqual(output.count("this build continues with the local cache only"), 1, output)
        self.assertEqual(client.wyn_compiles(), WYN_COMPILES)
        baseline = self.clone("baseline")
        base_verdicts, base_seconds, _ = self.timed_run(baseline, "")
        self.assertEqual(base_verdicts, VERDICTS)
        print(f"\n{self.id()}: {seconds:.2f} s with the remote failing, {base_seconds:.2f} s "
              f"without a remote: {seconds - base_seconds:+.2f} s", flush=True)
        # The first failure marks the remote down for this build; later steps skip it.
        self.assertEqual(stats(client.cache_dir)["remote"]["errors"], 1)
        self.assertTrue(os.path.exists(os.path.join(client.build_dir, "wyn", "remote-cache-down")))
        return client

    def test_an_unreachable_server(self):
        self.check_down(f"http://127.0.0.1:{free_port()}")

    def test_a_server_answering_500(self):
        server = Nginx(self)
        self.check_down(server.url + "/broken")
        self.assertIn("/broken/wyn/ac/", server.access_log())

    def test_a_server_that_stops_mid_way(self):
        server = Nginx(self)

        def stop_at_first_compile(client):
            with open(client.stop_file, "w") as f:
                f.write(str(server.proc.pid))

        self.check_down(server.url, stop_at_first_compile)
        self.assertIsNotNone(server.proc.poll(), "the server was not stopped")
        self.assertIn("GET /wyn/ac/", server.access_log())  # it was up for the first lookup

    def test_entries_damaged_on_the_server_are_rebuilt(self):
        server = Nginx(self)
        first = self.clone("first")
        self.assertEqual(first.full_run(None, f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        entries = server.entries()
        self.assertEqual(len(entries), WYN_COMPILES)
        with open(entries[0], "r+b") as f:  # one byte flipped
            f.seek(os.path.getsize(entries[0]) // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x40]))
        with open(entries[1], "r+b") as f:  # truncated
            f.truncate(os.path.getsize(entries[1]) // 3)
        swapped = entries[2] + ".swap"  # two entries swapped
        os.rename(entries[2], swapped)
        os.rename(entries[3], entries[2])
        os.rename(swapped, entries[3])
        second = self.clone("second")
        self.assertEqual(second.full_run(None, f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        self.assertEqual(second.wyn_compiles(), 4)
        remote = stats(second.cache_dir)["remote"]
        self.assertEqual((remote["hits"], remote["corrupt"], remote["uploads"]), (1, 4, 4))
        # The damaged entries were replaced by good ones.
        third = self.clone("third")
        self.assertEqual(third.full_run(None, f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        self.assertEqual(third.wyn_compiles(), 0)

    def test_the_authentication_header_reaches_the_server_and_no_file(self):
        server = Nginx(self)
        env = {"WYN_REMOTE_CACHE_HEADER": "Authorization: " + TOKEN}
        first, second = self.clone("first"), self.clone("second")
        self.assertEqual(first.full_run(env, f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        self.assertEqual(second.full_run(env, f"-DWYN_REMOTE_CACHE={server.url}"), VERDICTS)
        self.assertEqual(second.wyn_compiles(), 0)
        log = server.access_log()
        self.assertIn('PUT /wyn/ac/', log)
        for line in log.splitlines():
            if "/wyn/ac/" in line:
                self.assertIn(TOKEN, line)
        secret = TOKEN.split()[1]
        proc = subprocess.run(["grep", "-r", "-l", "-a", "-F", secret, first.build_dir, second.build_dir,
                               first.cache_dir, second.cache_dir, first.src, second.src],
                              stdout=subprocess.PIPE, text=True)
        self.assertEqual(proc.returncode, 1, "the token was written to: " + proc.stdout)


if __name__ == "__main__":
    unittest.main()
