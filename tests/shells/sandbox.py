"""./scripts/sandbox through a pseudo-terminal (pexpect): the banner, `assume prod` (two role hops)
with the MFA code typed at the prompt, the aws CLI inside, `cd project` and `rolecall allow`,
then `exit`: moto stopped, the temporary HOME removed. Used by tests/it/sandbox.rs.

    python3 sandbox.py SHELL ROLECALL_BIN   (HOME is the caller's, and must stay untouched)
"""
import os
import re
import sys

import pexpect

from session import Session

shell, rolecall = sys.argv[1], sys.argv[2]
script = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "sandbox")
session = Session(shell, argv=[script], env=dict(ROLECALL_BIN=rolecall, ROLECALL_SANDBOX_SHELL=shell))
child, run, check = session.child, session.run, session.check


child.expect_exact("exit                     stops moto and removes this HOME")
where = run('echo "__HOME__$HOME|$ROLECALL_SANDBOX|$ROLECALL_SANDBOX_MOTO_PID|$AWS_ENDPOINT_URL"')
home, sandbox, moto, endpoint = re.search(r"__HOME__([^|\r\n]*)\|([^|\r\n]*)\|(\d+)\|([^|\r\n]*)", where).groups()
check(home.startswith(sandbox) and os.path.isdir(home), f"HOME {home} not in {sandbox}")
check(endpoint.startswith("http://127.0.0.1:"), f"endpoint {endpoint}")
os.kill(int(moto), 0)

out = run("rolecall list")
check(re.search(r"prod\s+role\b", out), f"list: {out}")
run("assume prod", answer="123456")
arn = run("aws sts get-caller-identity --query Arn --output text")
check(":assumed-role/Deploy/alice" in arn, f"aws CLI sees {arn}")
out = run("python3 -c 'import boto3; print(boto3.client(\"sts\").get_caller_identity()[\"Account\"])'")
check("210987654321" in out, f"boto3 sees {out}")
out = run("cd project")
run("rolecall allow")
out = run("cd ..; cd project; echo \"__P__$AWS_PROFILE\"")
check("__P__prod" in out, f".awsprofile in the sandbox: {out}")

child.sendline("exit")
child.expect(pexpect.EOF)
tail = child.before
child.wait()
check(child.exitstatus == 0, f"sandbox exited {child.exitstatus}: {tail!r}")
check(not os.path.exists(sandbox), f"{sandbox} is still there")
try:
    os.kill(int(moto), 0)
    sys.exit(f"{shell}: moto (pid {moto}) still runs")
except ProcessLookupError:
    pass
print(f"{shell}: ok")
