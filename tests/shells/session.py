"""What the pexpect drivers in this directory share: an interactive shell (or a script that opens
one) on a pseudo-terminal, commands run in it with their exit status checked, and the shell's own
environment read back. Used by drive.py, dir.py and sandbox.py."""
import json
import os
import re
import sys

import pexpect

CONTRACT = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_PROFILE", "AWS_REGION",
            "AWS_DEFAULT_REGION", "ROLECALL_PROFILE", "ROLECALL_EXPIRES_AT", "ROLECALL_PREVIOUS", "ROLECALL_REGION",
            "ROLECALL_KEY_ID", "ROLECALL_DIR_RESTORE"]

# Each shell, interactive, without the person's own start-up files.
ARGV = {
    "bash": ["bash", "--norc", "--noprofile", "-i"],
    "zsh": ["zsh", "-f", "-i"],
    "fish": ["fish", "--no-config", "-i"],
}


class Session:
    def __init__(self, shell, argv=None, env=None, cwd=None, prompt=None):
        """`argv` defaults to the shell itself; with `prompt`, each command's output runs up to the
        next prompt (so what the prompt hooks print is part of it)."""
        argv = argv or ARGV[shell]
        self.shell, self.prompt, self.n = shell, prompt, 0
        self.status_var = "$status" if shell == "fish" else "$?"
        self.child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", timeout=120, dimensions=(50, 200),
                                   env=dict(os.environ, TERM="dumb", **(env or {})), cwd=cwd)

    def fail(self, what):
        sys.exit(f"{self.shell}: {what}")

    def check(self, cond, what):
        if not cond:
            self.fail(what)

    def run(self, cmd, expect_status=0, answer=None):
        """Run `cmd`; its output. With `answer`, type it at the MFA prompt first."""
        self.n += 1
        self.child.sendline(f"{cmd}; echo __END{self.n}__{self.status_var}")
        if answer is not None:
            self.child.expect_exact("MFA code for ")
            self.child.sendline(answer)
        self.child.expect(rf"__END{self.n}__(\d+)")
        status = int(self.child.match.group(1))
        out = self.child.before
        if self.prompt is not None:
            self.child.expect_exact(self.prompt)
            out += self.child.before
        self.check(status == expect_status, f"`{cmd}` exited {status}, want {expect_status}: {out}")
        return out

    def env(self):
        out = self.run("python3 -c 'import os, json; print(\"__ENV__\" + json.dumps(dict(os.environ)))'")
        return json.loads(re.search(r"__ENV__(\{.*\})\r?$", out, re.M).group(1))

    def contract(self, e=None):
        e = self.env() if e is None else e
        return {k: e[k] for k in CONTRACT if k in e}
