"""A Kubernetes API server stand-in on 127.0.0.1 that authenticates as EKS does.

A request is answered only if its bearer token is a valid EKS token for this cluster, checked
the way aws-iam-authenticator checks it: `k8s-aws-v1.` + base64url of a presigned STS
GetCallerIdentity URL (an STS host of this test, `X-Amz-Expires` at most 60, `x-k8s-aws-id`
signed, `X-Amz-Date` at most 15 minutes old), whose SigV4 signature, recomputed with botocore for
this cluster's name and the key's secret, is the one in the URL (a token for another cluster, or
signed with another secret, does not match); then STS (moto) is asked at that URL who the
caller is. Served: the discovery documents and the namespace list `kubectl get ns` reads.

    python3 kube_api.py CLUSTER KEYS_JSON DIR [STS_URL]

KEYS_JSON maps access key ids to secrets (a real STS knows them; moto does not check
signatures). HTTPS, as kubectl sends an exec plugin's token over nothing else: a self-signed
certificate for 127.0.0.1 is made with openssl in DIR (DIR/ca.pem is the CA to give kubectl).
STS_URL, when given, is where an STS host of a token (`sts.REGION.amazonaws.com`) is asked, as
a hosts entry would send it (an aws CLI that cannot be pointed at a local STS still signs for the
real one). The port is printed on stdout's first line; DIR/log gets one line per request: `ok ARN PATH` or
`refused WHY`.
"""
import base64, datetime, http.client, http.server, json, os, ssl, subprocess, sys, urllib.parse

import botocore.auth, botocore.awsrequest, botocore.credentials

CLUSTER, KEYS, DIR = sys.argv[1], sys.argv[2], sys.argv[3]
STS_AT = urllib.parse.urlparse(sys.argv[4]) if len(sys.argv) > 4 else None
LOG = os.path.join(DIR, "log")
PREFIX = "k8s-aws-v1."


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


def identity(token):
    """The caller's ARN, or raise ValueError with why the token is refused."""
    if not token.startswith(PREFIX):
        raise ValueError("not an EKS token")
    raw = token[len(PREFIX):]
    if "=" in raw:
        raise ValueError("padded base64")
    url = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    u = urllib.parse.urlparse(url)
    q = dict(urllib.parse.parse_qsl(u.query))
    if u.hostname != "127.0.0.1" and not (u.hostname or "").startswith("sts."):
        raise ValueError("not an STS host: %s" % u.hostname)
    if u.path != "/" or q.get("Action") != "GetCallerIdentity" or q.get("Version") != "2011-06-15":
        raise ValueError("not GetCallerIdentity")
    if int(q.get("X-Amz-Expires", "0")) > 60 or int(q.get("X-Amz-Expires", "0")) <= 0:
        raise ValueError("X-Amz-Expires out of range")
    signed = q.get("X-Amz-SignedHeaders", "").split(";")
    if "x-k8s-aws-id" not in signed:
        raise ValueError("x-k8s-aws-id is not signed")
    when = datetime.datetime.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    age = datetime.datetime.utcnow() - when
    if age > datetime.timedelta(minutes=15) or age < -datetime.timedelta(minutes=5):
        raise ValueError("expired (signed %s ago)" % age)
    key, _, region, service, _ = q["X-Amz-Credential"].split("/")
    secrets = json.load(open(KEYS))
    if key not in secrets:
        raise ValueError("unknown access key")
    creds = botocore.credentials.Credentials(key, secrets[key], q.get("X-Amz-Security-Token"))
    botocore.auth.get_current_datetime = lambda *a, **k: when
    base = "%s://%s/?Action=GetCallerIdentity&Version=2011-06-15" % (u.scheme, u.netloc)
    request = botocore.awsrequest.AWSRequest(method="GET", url=base, headers={"x-k8s-aws-id": CLUSTER})
    botocore.auth.SigV4QueryAuth(creds, service, region, expires=int(q["X-Amz-Expires"])).add_auth(request)
    theirs = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(request.prepare().url).query))
    if theirs["X-Amz-Signature"] != q["X-Amz-Signature"]:
        raise ValueError("signature does not match (another cluster, or another secret)")
    # STS says who it is. moto routes by the Authorization header's scope: the query's own
    # credential and signature go in it.
    auth = "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s" % (
        q["X-Amz-Credential"], q["X-Amz-SignedHeaders"], q["X-Amz-Signature"])
    at = STS_AT if STS_AT and u.hostname != "127.0.0.1" else u
    try:
        c = http.client.HTTPConnection(at.hostname, at.port, timeout=10)
        c.request("GET", u.path + "?" + u.query, headers={"x-k8s-aws-id": CLUSTER, "Authorization": auth})
        r = c.getresponse()
    except OSError as e:
        raise ValueError("STS unreachable: %s" % e)
    body = r.read().decode()
    if r.status != 200 or "<Arn>" not in body:
        raise ValueError("STS refused: %s" % r.status)
    return body.split("<Arn>")[1].split("</Arn>")[0]


NAMESPACES = ["default", "kube-system", "prod"]


def documents(path, accept):
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
    if path == "/apis":
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}
    if path == "/api/v1":
        return {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
            {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
             "verbs": ["get", "list"], "shortNames": ["ns"]}]}
    if path == "/api/v1/namespaces":
        if "as=Table" in accept:
            return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {},
                    "columnDefinitions": [{"name": "Name", "type": "string", "format": "name"},
                                          {"name": "Status", "type": "string", "format": ""}],
                    "rows": [{"cells": [n, "Active"], "object": {
                        "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": {"name": n}}} for n in NAMESPACES]}
        return {"kind": "NamespaceList", "apiVersion": "v1", "metadata": {},
                "items": [{"metadata": {"name": n}, "status": {"phase": "Active"}} for n in NAMESPACES]}
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        try:
            if not auth.startswith("Bearer "):
                raise ValueError("no bearer token")
            arn = identity(auth[len("Bearer "):])
        except (ValueError, KeyError) as e:
            log("refused %s" % e)
            return self.answer(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                     "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
        path = urllib.parse.urlparse(self.path).path
        log("ok %s %s" % (arn, path))
        doc = documents(path, self.headers.get("Accept", ""))
        if doc is None:
            return self.answer(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404})
        self.answer(200, doc)

    def log_message(self, *args):
        pass


cert, key = os.path.join(DIR, "ca.pem"), os.path.join(DIR, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key, "-out", cert], check=True, capture_output=True)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(cert, key)
server.socket = tls.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
