"""Drive a real interactive shell through a pseudo-terminal (pexpect): load rolecall's init
line, then assume, asp, `-`, `-u`, a failing assume, hostile arguments and the MFA prompt, and
check the shell's own environment after each step. Used by tests/shells.rs.

    python3 drive.py SHELL ROLECALL_BIN   (HOME and AWS_ENDPOINT_URL_STS come from the environment)
"""
import os
import sys

import pexpect

from session import Session

shell, rolecall = sys.argv[1], sys.argv[2]
home = os.environ["HOME"]
init = {
    "bash": f'set -u; eval "$({rolecall} init bash)"',
    "zsh": f'setopt nounset; eval "$({rolecall} init zsh)"',
    "fish": f"{rolecall} init fish | source",
}[shell]
session = Session(shell)
child, run, env, check, status_var = session.child, session.run, session.env, session.check, session.status_var


def contract(e):
    return session.contract(e)


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
session.n += 1
n = session.n
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
session.n += 1
n = session.n
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
