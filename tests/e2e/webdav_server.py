"""nginx from the distribution serving a directory over WebDAV on 127.0.0.1,
as an unprivileged child process with every file of its own in one
directory: the remote cache server of the e2e tests and of the benchmark."""

import os
import shutil
import socket
import subprocess
import time

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    log_format withauth '$request_method $uri $status "$http_authorization"';
    access_log {dir}/access.log withauth;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/store;
        location / {{
            dav_methods PUT DELETE MOVE;
            create_full_put_path on;
        }}
        location /broken/ {{
            return 500;
        }}
    }}
}}
"""


def available():
    return os.path.exists(NGINX)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDavServer:
    """nginx serving <dir>/store (PUT, MOVE, DELETE; /broken/ answers 500),
    logging each request's method, path, status and Authorization header to
    <dir>/access.log."""

    def __init__(self, dir):
        self.dir = dir
        os.makedirs(os.path.join(dir, "store"), exist_ok=True)
        os.makedirs(os.path.join(dir, "tmp"), exist_ok=True)
        self.port = free_port()
        with open(os.path.join(dir, "nginx.conf"), "w") as f:
            f.write(CONF.format(dir=dir, port=self.port))
        self.proc = subprocess.Popen(
            [NGINX, "-p", dir, "-c", os.path.join(dir, "nginx.conf"), "-e",
             os.path.join(dir, "error.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    with open(os.path.join(dir, "error.log")) as f:
                        raise RuntimeError("nginx did not start:\n" + f.read())
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def files(self, under=""):
        found = []
        for dirpath, _, names in os.walk(os.path.join(self.dir, "store", under)):
            found += [os.path.join(dirpath, n) for n in names]
        return sorted(found)

    def access_log(self):
        with open(os.path.join(self.dir, "access.log")) as f:
            return f.read()
