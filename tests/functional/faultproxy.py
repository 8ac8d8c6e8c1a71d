"""A fault-injecting HTTP proxy between the client and Neutron (loopback).

Point the client at it with OS_NETWORK_ENDPOINT_OVERRIDE=<proxy.url>. It
forwards every request to Neutron unchanged (the Host header too, so
Neutron's version links point back at the proxy) and counts them; armed
with arm(kind, at), the at-th request (1-based, since arming) fails:

  reset          the connection is reset before the request is forwarded
  500, 503, 409, 412
                 that status, without forwarding
  500-after      forwarded (the change lands), then answered 500
  timeout-after  forwarded, then no answer until the client gave up
  truncate       forwarded, then half the body and the connection closed
  bad-json       forwarded, then the body replaced by invalid JSON

Two more settings make a busy cloud: page_limit rewrites the limit= of
every listing (pages of that size, whatever the client asked), and
before(method, path), when set, runs before each request is forwarded
(a test deletes a page's marker there).

It listens on 127.0.0.1 only and stops by itself after max_lifetime.
"""

import http.client
import http.server
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse

KINDS = ('reset', '500', '503', '409', '412', '500-after', 'timeout-after',
         'truncate', 'bad-json')
# The fault matrix injects each family at every request; a family of two
# kinds (a 5xx; a write refused as in conflict, 409, or as made on a
# stale revision, 412; a change that landed and whose answer was lost,
# as a 500 or as no answer at all; a broken body) alternates them from
# one request to the next, so each is still met across the matrix.
FAMILIES = (('reset',), ('500', '503'), ('409', '412'),
            ('500-after', 'timeout-after'), ('truncate', 'bad-json'))
HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-connection',
              'transfer-encoding', 'te', 'trailer', 'upgrade',
              'content-length'}


class FaultProxy:

    def __init__(self, upstream_port, timeout_delay=4.0, max_lifetime=3600):
        self.upstream_port = upstream_port
        self.timeout_delay = timeout_delay
        self.lock = threading.Lock()
        self.log = []           # (method, path) of every request
        self.kind = self.at = None
        self.count = 0
        self.fired = None       # (method, path) the fault hit
        self.page_limit = None
        self.before = None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _any(self):
                proxy._handle(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any
            do_PATCH = do_OPTIONS = _any

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                # A client gone before its answer (a timeout fault): kept
                # here, never printed. Printed, it landed in the stderr
                # an in-process CLI run was capturing then (the stream is
                # the process's), a "traceback" of some later command.
                proxy.errors.append(sys.exc_info()[1])

        self.errors = []
        self.server = Server(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d/' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()
        self.timer = threading.Timer(max_lifetime, self.stop)
        self.timer.daemon = True
        self.timer.start()

    def stop(self):
        self.timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def arm(self, kind=None, at=None):
        """Fail the at-th request from now with kind (None: count only)."""
        assert kind is None or kind in KINDS, kind
        with self.lock:
            self.kind, self.at, self.count = kind, at, 0
            self.fired = None
            self.log = []

    def _decide(self, method, path):
        with self.lock:
            self.log.append((method, path))
            self.count += 1
            if self.kind and self.count == self.at:
                self.fired = (method, path)
                return self.kind
        return None

    def _paged(self, path):
        """path with its limit= set to page_limit (when set)."""
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        if self.page_limit is None or not any(k == 'limit' for k, _ in query):
            return path
        query = [(k, str(self.page_limit) if k == 'limit' else v)
                 for k, v in query]
        return url._replace(query=urllib.parse.urlencode(query)).geturl()

    def _handle(self, h):
        length = int(h.headers.get('Content-Length') or 0)
        body = h.rfile.read(length) if length else None
        h.path = self._paged(h.path)
        if self.before is not None:
            self.before(h.command, h.path)
        kind = self._decide(h.command, h.path)
        if kind == 'reset':
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack('ii', 1, 0))
            h.connection.close()
            h.close_connection = True
            return
        if kind in ('500', '503', '409', '412'):
            return self._reply(h, int(kind), json.dumps({'NeutronError': {
                'type': 'Injected', 'message': 'injected fault %s' % kind,
                'detail': ''}}).encode())
        status, headers, data = self._forward(h, body)
        if kind == '500-after':
            return self._reply(h, 500, json.dumps({'NeutronError': {
                'type': 'Injected', 'message': 'injected 500 after the '
                'request was applied', 'detail': ''}}).encode())
        if kind == 'timeout-after':
            time.sleep(self.timeout_delay)
            h.close_connection = True
            return
        if kind == 'truncate':
            h.send_response(status)
            for key, value in headers:
                h.send_header(key, value)
            h.send_header('Content-Length', str(max(len(data), 2)))
            h.send_header('Connection', 'close')
            h.end_headers()
            h.wfile.write(data[:len(data) // 2])
            h.close_connection = True
            return
        if kind == 'bad-json':
            data = b'{"injected": "not json'
        self._reply(h, status, data, headers)

    def _forward(self, h, body):
        conn = http.client.HTTPConnection('127.0.0.1', self.upstream_port,
                                          timeout=120)
        try:
            headers = {k: v for k, v in h.headers.items()
                       if k.lower() not in HOP_BY_HOP}
            conn.request(h.command, h.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return (resp.status, [(k, v) for k, v in resp.getheaders()
                                  if k.lower() not in HOP_BY_HOP], data)
        finally:
            conn.close()

    @staticmethod
    def _reply(h, status, data, headers=(('Content-Type',
                                          'application/json'),)):
        h.send_response(status)
        for key, value in headers:
            h.send_header(key, value)
        h.send_header('Content-Length', str(len(data)))
        h.end_headers()
        h.wfile.write(data)
