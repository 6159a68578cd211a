"""Drive a real interactive shell through a pseudo-terminal (pexpect): load rolecall's init
line, then assume, asp, `-`, `-u`, a failing assume, hostile arguments and the MFA prompt, and
check the shell's own environment after each step. Used by tests/shells.rs.

    python3 drive.py SHELL ROLECALL_BIN   (HOME and AWS_ENDPOINT_URL_STS come from the environment)
"""
import json
import os
import re
import sys

import pexpect

shell, rolecall = sys.argv[1], sys.argv[2]
home = os.environ["HOME"]
CONTRACT = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION", "AWS_PROFILE", "AWS_REGION",
            "AWS_DEFAULT_REGION", "ROLECALL_PROFILE", "ROLECALL_EXPIRES_AT", "ROLECALL_PREVIOUS"]

argv = {
    "bash": ["bash", "--norc", "--noprofile", "-i"],
    "zsh": ["zsh", "-f", "-i"],
    "fish": ["fish", "--no-config", "-i"],
}[shell]
status_var = "$status" if shell == "fish" else "$?"
init = {
    "bash": f'set -u; eval "$({rolecall} init bash)"',
    "zsh": f'setopt nounset; eval "$({rolecall} init zsh)"',
    "fish": f"{rolecall} init fish | source",
}[shell]

child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", timeout=60, env=dict(os.environ, TERM="dumb"),
                      dimensions=(50, 200))
n = 0


def run(cmd, expect_status=0, answer=None):
    """Run `cmd` in the shell; its output. With `answer`, type it at the MFA prompt first."""
    global n
    n += 1
    child.sendline(f"{cmd}; echo __END{n}__{status_var}")
    if answer is not None:
        child.expect_exact("MFA code for ")
        child.sendline(answer)
    child.expect(rf"__END{n}__(\d+)")
    status = int(child.match.group(1))
    out = child.before
    assert status == expect_status, f"{shell}: `{cmd}` exited {status}, want {expect_status}: {out}"
    return out


def env():
    out = run("python3 -c 'import os, json; print(\"__ENV__\" + json.dumps(dict(os.environ)))'")
    return json.loads(re.search(r"^__ENV__(\{.*\})\r?$", out, re.M).group(1))


def contract(e):
    return {k: e[k] for k in CONTRACT if k in e}


def check(cond, what):
    if not cond:
        sys.exit(f"{shell}: {what}")


run("true")
if shell == "zsh":
    run("autoload -Uz compinit && compinit -u -D")  # profile completion needs zsh's completion system
run(init)
run(init)  # twice: defines the same things again, nothing breaks

# Profile names complete after `assume` (from `rolecall list --names`).
child.send("assume cli-st\t")
child.expect_exact("yle")
child.send("\x15")  # Ctrl-U: drop the line
run("true")

run(f"assume admin --mfa-code 123456")
e = env()
for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
            "AWS_SESSION_EXPIRATION", "ROLECALL_EXPIRES_AT"]:
    check(e.get(var), f"{var} not set after assume")
check(e["AWS_PROFILE"] == "admin" and e["ROLECALL_PROFILE"] == "admin", "profile not admin")
check(e["AWS_REGION"] == "eu-west-1" and e["AWS_DEFAULT_REGION"] == "eu-west-1", "region")
check("AWS_SECURITY_TOKEN" not in e and "ROLECALL_PREVIOUS" not in e, "unexpected variables")
arn = run("aws sts get-caller-identity --query Arn --output text")
check(":assumed-role/Admin/" in arn, f"aws CLI sees {arn}")

run("assume ops")
e = env()
check(e["AWS_PROFILE"] == "ops" and e["ROLECALL_PREVIOUS"] == "admin", "assume ops")
check(e["AWS_REGION"] == "us-east-2", "ops region")

run("assume -")
e = env()
check(e["AWS_PROFILE"] == "admin" and e["ROLECALL_PREVIOUS"] == "ops", "assume - goes back")

before = contract(env())
run("assume nosuch", expect_status=1)
run("assume admin --duration soon", expect_status=1)
check(contract(env()) == before, "a failing assume changed the environment")

out = run("assume ops -- sh -c 'echo via-exec:$AWS_PROFILE'")
check("via-exec:ops" in out, f"assume -- CMD: {out}")
check(contract(env()) == before, "assume -- CMD changed the shell")

for hostile in ["x$(touch canary1)", "x`touch canary2`", "x; touch canary3", "x' ; touch canary4 ; echo '",
                "x | touch canary5", "x & touch canary6"]:
    quoted = "'" + hostile.replace("'", "'\\''") + "'" if shell != "fish" else \
        "'" + hostile.replace("\\", "\\\\").replace("'", "\\'") + "'"
    run(f"assume {quoted}", expect_status=1)
check(not any(f.startswith("canary") for f in os.listdir(home)), "a hostile argument ran")
check(contract(env()) == before, "a hostile argument changed the environment")

run("asp base")
e = env()
check(e["AWS_PROFILE"] == "base" and e["ROLECALL_PREVIOUS"] == "admin", "asp base")
check("AWS_ACCESS_KEY_ID" not in e and "ROLECALL_EXPIRES_AT" not in e, "asp leaves no credentials")

# The MFA prompt, from inside the function's command substitution, on the terminal.
run("assume cli-style", answer="123456")
check(env()["AWS_PROFILE"] == "cli-style", "assume after the MFA prompt")

# The picker: most recently used first; typing filters; Enter picks; Esc changes nothing.
before = contract(env())
n += 1
child.sendline(f"assume; echo __END{n}__{status_var}")
child.expect_exact("profile> ")
child.send("ops")
child.expect_exact("1/4")
child.send("\r")
child.expect(rf"__END{n}__(\d+)")
check(child.match.group(1) == "0", f"picker exit {child.match.group(1)}")
e = env()
check(e["AWS_PROFILE"] == "ops" and e["ROLECALL_PREVIOUS"] == "cli-style", "picked ops")
before = contract(e)
n += 1
child.sendline(f"assume; echo __END{n}__{status_var}")
child.expect_exact("profile> ")
child.send("\x1b")
child.expect(rf"__END{n}__(\d+)")
check(child.match.group(1) == "130", f"Esc exit {child.match.group(1)}")
check(contract(env()) == before, "Esc changed the environment")

run("assume -u")
e = env()
check(not contract(e), f"assume -u left {contract(e)}")

child.sendline("exit")
child.expect(pexpect.EOF)
print(f"{shell}: ok")
