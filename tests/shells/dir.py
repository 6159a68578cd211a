""".awsprofile in a real interactive shell through a pseudo-terminal (pexpect): entering and
leaving trusted and untrusted trees, sub-directories, a manual switch inside a tree (it wins, also
on the same line as the `cd`), the prompt segment made from what the shell holds, a child shell
started inside a tree, an edited file, hostile file contents and directory names (one with a
newline), and ROLECALL_DIR_ACTION=assume. The shell's own environment is checked after each step.
Used by tests/it/dirprofile.rs.

    python3 dir.py SHELL ROLECALL_BIN   (run in HOME, which holds the trees; see dirprofile.rs)
"""
import os
import subprocess
import sys

import pexpect

from session import Session

shell, rolecall = sys.argv[1], sys.argv[2]
home = os.environ["HOME"]
PROMPT = "__PROMPT__> "
setup = {
    "bash": f"set -u; PS1='{PROMPT}'; eval \"$({rolecall} init bash --prompt)\"",
    "zsh": f"setopt nounset; PS1='{PROMPT}'; eval \"$({rolecall} init zsh --prompt)\"",
    "fish": f"function fish_prompt; printf '%s' '{PROMPT}'; end; {rolecall} init fish --prompt | source",
}[shell]
child_shell = {"bash": "bash --norc --noprofile -i", "zsh": "zsh -f -i", "fish": "fish --no-config -i"}[shell]
# The segment as the last prompt drew it.
segment = {
    "bash": 'echo "[$__rolecall_ps1]"',
    "zsh": 'print -r -- "[$__rolecall_rps1]"',
    "fish": 'echo "[$__rolecall_rps]"',
}[shell]


def setenv(name, value):
    return f"set -gx {name} {value}" if shell == "fish" else f"export {name}={value}"


def unsetenv(name):
    return f"set -e {name}; or true" if shell == "fish" else f"unset {name}"


def quote(text):
    if shell == "fish":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "'\\''") + "'"


session = Session(shell, cwd=home, prompt=PROMPT, env={"NO_COLOR": "1"})
child, run, contract, check = session.child, session.run, session.contract, session.check
env = session.env


def allow(path):
    subprocess.run([rolecall, "allow", path], check=True, capture_output=True, cwd=home)


def reset():
    """Put the shell back to the starting state (base, a region of its own)."""
    run(f"{setenv('AWS_PROFILE', 'base')}; {setenv('AWS_DEFAULT_REGION', 'keep')}")
    for name in ["AWS_REGION", "ROLECALL_PROFILE", "ROLECALL_PREVIOUS", "ROLECALL_REGION", "ROLECALL_EXPIRES_AT",
                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
                 "AWS_SESSION_EXPIRATION", "AWS_ACCOUNT_ID", "ROLECALL_KEY_ID", "ROLECALL_DIR_RESTORE"]:
        run(unsetenv(name))


child.sendline(setup)
child.expect_exact(PROMPT)
run(setup)  # twice: one hook, state kept
reset()
before = contract()
check(before == {"AWS_PROFILE": "base", "AWS_DEFAULT_REGION": "keep"}, f"start: {before}")

# An unknown file: one notice, once; nothing applied.
out = run("cd proj")
check("./.awsprofile wants profile 'ops' — run 'rolecall allow' to use it" in out, f"notice: {out!r}")
check(contract() == before, "an unknown file was applied")
out = run("true")
check("wants profile" not in out, f"the notice came twice: {out!r}")

# `rolecall allow` takes effect at the next prompt.
out = run(f"{rolecall} allow")
check("allowed ./.awsprofile (profile 'ops')" in out, out)
e = contract()
check(e.get("AWS_PROFILE") == "ops" and e.get("ROLECALL_PROFILE") == "ops", f"allowed tree: {e}")
check(e.get("AWS_REGION") == "ap-south-1" and e.get("AWS_DEFAULT_REGION") == "ap-south-1", f"region line: {e}")
check(e.get("ROLECALL_PREVIOUS") == "base", f"previous: {e}")
check("ROLECALL_DIR_RESTORE" in e, f"the restore state is exported: {e}")
inside = e

# A sub-directory: nothing runs, nothing changes.
out = run("cd sub")
check("rolecall" not in out, f"sub-directory ran rolecall: {out!r}")
check(contract() == inside, "sub-directory changed the environment")

# Leaving: exactly what was there, including the variables that were unset.
run("cd ../..")
check(contract() == before, f"leaving did not restore: {contract()} != {before}")

# A child shell started inside the tree leaves it too (the state crosses exec).
run("cd proj")
check(contract() == inside, "entering again")
child.sendline(child_shell)
child.sendline(setup)
child.expect_exact(PROMPT)
run("true")
check(contract()["AWS_PROFILE"] == "ops", f"the child shell in the tree: {contract()}")
out = run("cd sub")
check("rolecall" not in out, f"the child shell ran rolecall inside the tree: {out!r}")
run("cd ../..")
check(contract() == before, f"the child shell did not restore on leaving: {contract()} != {before}")
child.sendline("exit")
child.expect_exact(PROMPT)
run("true")
check(contract() == inside, f"the parent shell is still in its tree: {contract()}")
run("cd ..")
check(contract() == before, "leaving after the child shell")

# A manual switch inside wins: a `cd` inside keeps it, and leaving does not undo it.
out = run("cd proj/sub")
check("profile 'ops' from ../.awsprofile" in out, out)
run("asp admin")
run("cd ..")
check(contract()["AWS_PROFILE"] == "admin", "a cd inside the tree undid the manual asp")
run("cd ..")
check(contract()["AWS_PROFILE"] == "admin", f"leaving the tree undid the manual asp: {contract()}")
reset()

# Whatever is typed last wins, also on the line that crosses the boundary.
run("cd proj")
check(contract()["AWS_PROFILE"] == "ops", "entering once more")
run("cd ..; asp admin")
check(contract()["AWS_PROFILE"] == "admin", f"`cd ..; asp admin` ended on {contract()}")
run("true")
check(contract()["AWS_PROFILE"] == "admin", f"the next prompt undid `cd ..; asp admin`: {contract()}")
reset()
run("cd proj; asp admin")
check(contract()["AWS_PROFILE"] == "admin", f"`cd proj; asp admin` ended on {contract()}")
run("true")
check(contract()["AWS_PROFILE"] == "admin", f"the tree replaced the explicit asp: {contract()}")
run("cd ..")
check(contract()["AWS_PROFILE"] == "admin", "leaving after an explicit asp on the entering line")
reset()

# The segment shows what the shell holds when the prompt is drawn: assume admin, enter the tree
# (ops), assume admin again (from the cache: the same variables as before the tree).
run("assume admin")
check(f"[aws:admin eu-west-1 " in run(segment), "segment after assume")
run("cd proj")
check("[aws:ops ap-south-1 ]" in run(segment), "segment in the tree")
run("assume admin")
out = run(segment)
check("[aws:admin eu-west-1 " in out, f"the segment kept the tree's profile while the shell holds admin: {out!r}")
run("cd ..")
check(contract()["AWS_PROFILE"] == "admin", "leaving after assume")
reset()

# An edited file is unknown again.
with open(os.path.join(home, "proj", ".awsprofile"), "a") as f:
    f.write("# edited\n")
out = run("cd proj")
check("./.awsprofile changed since it was allowed and wants profile 'ops'" in out, out)
check(contract() == before, "an edited file was applied")
run("cd ..")

# Hostile content, allowed or not, is data: a notice, nothing run, nothing changed.
allow("evil")
out = run("cd evil")
check("which is in neither" in out, f"allowed hostile file: {out!r}")
check(contract() == before, "a hostile file changed the environment")
run("cd ..")
out = run("cd evil2")
check("run 'rolecall allow'" in out and "\\u{1b}[31m" in out, f"unknown hostile, shown escaped: {out!r}")
run("cd ..")

# A hostile directory name is a path, passed as one argument.
weird = "x$(touch canary5)`touch canary6`'q"
allow(weird)
out = run(f"cd {quote(weird)}")
e = contract()
check(e.get("AWS_PROFILE") == "base" and e.get("ROLECALL_PROFILE") == "base", f"hostile directory name: {e} {out!r}")
run("cd ..")
check(contract() == before, "leaving the hostile directory")
check(not any(f.startswith("canary") for f in os.listdir(home)), f"a hostile value ran: {os.listdir(home)}")

# A directory whose name holds a newline: the search ends (fish looped for ever), and the
# nearest file above it applies.
run("cd proj")
check(contract()["AWS_PROFILE"] == "base", "the edited file is still unknown")
run(f"{rolecall} allow")
check(contract()["AWS_PROFILE"] == "ops", "allowed again")
run(f"cd {quote('new' + chr(10) + 'line')}")
check(contract()["AWS_PROFILE"] == "ops", f"below a newline directory: {contract()}")
run("cd ../..")
check(contract() == before, "leaving through the newline directory")

# A file made in the directory the shell is in: the next prompt looks at it, and `rolecall allow`
# there applies at the prompt after (as direnv does), not only after leaving and coming back.
os.makedirs(os.path.join(home, "fresh"), exist_ok=True)
reset()
outside = contract()
run("cd fresh")
out = run("echo admin > .awsprofile")
check("./.awsprofile wants profile 'admin'" in out, f"a file made here was not noticed: {out!r}")
check(contract() == outside, "an unknown file was applied")
run(f"{rolecall} allow")
e = contract()
check(e.get("AWS_PROFILE") == "admin" and e.get("ROLECALL_PROFILE") == "admin", f"allowed here, not applied: {e}")
run("cd ..")
check(contract() == outside, f"leaving the fresh tree: {contract()}")

# No variable of rolecall's ever holds a secret: after any sequence of assume, asp and crossings,
# a child's environment has the secret key and the token in AWS_SECRET_ACCESS_KEY and
# AWS_SESSION_TOKEN alone (ROLECALL_DIR_RESTORE used to copy them).
seen = set()


def no_secret_elsewhere(what):
    e = env()
    seen.update(v for k, v in e.items() if k in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN") and v)
    for name, value in e.items():
        if name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            continue
        for secret in seen:
            check(secret not in value, f"{what}: a secret is in {name}")
    return e


allow("adminproj")
reset()
run("assume admin")
held = no_secret_elsewhere("assume admin")
# A tree naming the profile the shell holds: its credentials stay, nothing to restore later.
run("cd adminproj")
e = no_secret_elsewhere("entering a tree of the profile held")
check(e["AWS_ACCESS_KEY_ID"] == held["AWS_ACCESS_KEY_ID"] and "ROLECALL_DIR_RESTORE" in e, f"kept: {e}")
run("cd ..")
e = no_secret_elsewhere("leaving it")
check(e["AWS_ACCESS_KEY_ID"] == held["AWS_ACCESS_KEY_ID"] and e["AWS_PROFILE"] == "admin", f"left: {e}")
# A tree of another profile (asp): leaving it brings admin's credentials back from the cache.
run("cd proj")
e = no_secret_elsewhere("entering a tree of another profile")
check(e["AWS_PROFILE"] == "ops" and "AWS_ACCESS_KEY_ID" not in e, f"asp'd in the tree: {e}")
run("cd ..")
e = no_secret_elsewhere("leaving it")
check(all(e.get(k) == held.get(k) for k in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                             "AWS_PROFILE", "ROLECALL_EXPIRES_AT"]), f"admin's credentials back: {e}")
run("asp base")
run("cd proj")
run("cd ..")
run("assume admin")
run("cd proj/sub")
run("cd ../..")
no_secret_elsewhere("asp, crossings, assume, crossings")
# Keys set by hand win over a tree: nothing applied, one line, and leaving changes nothing.
run(setenv("AWS_ACCESS_KEY_ID", "AKIAHANDSETHANDSET01") + "; " + setenv("AWS_SECRET_ACCESS_KEY", "handSetSecretHandSetSecret01"))
before_hand = contract()
out = run("cd proj")
check("holds keys set by hand" in out and contract() == before_hand, f"keys set by hand: {out!r} {contract()}")
run("cd ..")
check(contract() == before_hand, "leaving after keys set by hand")
reset()
before = contract()

# ROLECALL_DIR_ACTION=assume: credentials from STS (moto) on entering, all gone on leaving.
allow("assumed")
run(setenv("ROLECALL_DIR_ACTION", "assume"))
before = contract()
out = run("cd assumed")
e = contract()
for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ROLECALL_EXPIRES_AT"]:
    check(var in e, f"{var} not set by ROLECALL_DIR_ACTION=assume: {out!r}")
check(e["AWS_PROFILE"] == "ops", "assumed profile")
arn = run("aws sts get-caller-identity --query Arn --output text")
check(":assumed-role/Ops/" in arn, f"aws CLI sees {arn}")
run("cd ..")
check(contract() == before, "leaving an assumed tree left credentials")

child.sendline("exit")
child.expect(pexpect.EOF)
print(f"{shell}: ok")
