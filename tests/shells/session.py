"""What the pexpect drivers in this directory share: an interactive shell (or a script that opens
one) on a pseudo-terminal, commands run in it with their exit status checked, and the shell's own
environment read back. Used by drive.py, dir.py, refresh.py and sandbox.py. nushell runs external
commands' status into no variable a custom command sets: its commands are not status-checked."""
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
    "nu": ["nu", "--no-config-file"],
}


class Session:
    def __init__(self, shell, argv=None, env=None, cwd=None, prompt=None):
        """`argv` defaults to the shell itself; with `prompt`, each command's output runs up to the
        next prompt (so what the prompt hooks print is part of it)."""
        argv = argv or ARGV[shell]
        self.shell, self.prompt, self.n = shell, prompt, 0
        self.status_var = {"fish": "$status", "nu": ""}.get(shell, "$?")
        self.child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", timeout=120, dimensions=(50, 200),
                                   env=dict(os.environ, TERM="dumb", **(env or {})), cwd=cwd)

    def fail(self, what):
        sys.exit(f"{self.shell}: {what}")

    def check(self, cond, what):
        if not cond:
            self.fail(what)

    def expect(self, pattern, exact=True):
        """Wait for `pattern`; the text before it. nushell's line editor asks where the cursor is
        (ESC [6n) and waits for the answer a terminal gives: it is given."""
        seen = ""
        while True:
            i = (self.child.expect_exact if exact else self.child.expect)([pattern, "\x1b\\[6n" if not exact else "\x1b[6n"])
            seen += self.child.before
            if i == 0:
                return seen
            self.child.send("\x1b[1;1R")

    def run(self, cmd, expect_status=0, answer=None):
        """Run `cmd`; its output. With `answer`, type it at the MFA prompt first."""
        self.n += 1
        if self.shell == "nu":
            # Put together at run time: the echoed command line does not hold the marker.
            self.child.sendline(f"{cmd}; print ('__E' + 'ND{self.n}__0')")
        else:
            self.child.sendline(f"{cmd}; echo __END{self.n}__{self.status_var}")
        if answer is not None:
            self.expect("MFA code for ")
            self.child.sendline(answer)
        out = self.expect(rf"__END{self.n}__(\d+)", exact=False)
        status = int(self.child.match.group(1))
        if self.prompt is not None:
            out += self.expect(self.prompt)
        self.check(status == expect_status, f"`{cmd}` exited {status}, want {expect_status}: {out}")
        return out

    def env(self):
        out = self.run("python3 -c 'import os, json; print(\"__ENV__\" + json.dumps(dict(os.environ)))'")
        return json.loads(re.search(r"__ENV__(\{.*\})\r?$", out, re.M).group(1))

    def contract(self, e=None):
        e = self.env() if e is None else e
        return {k: e[k] for k in CONTRACT if k in e}
