"""Auto-refresh at the prompt (ROLECALL_AUTO_REFRESH=1) in a real interactive shell through a
pseudo-terminal: credentials under the margin are renewed at the next prompt with no MFA prompt
(the cached MFA session serves); with the MFA session gone nothing is asked, one line says why,
it is not tried again at every prompt, and the segment says `expired`. Used by tests/it/prompt.rs.

    python3 refresh.py SHELL ROLECALL_BIN   (HOME and AWS_ENDPOINT_URL_STS come from the environment)
"""
import glob
import json
import os
import sys
import time

from session import Session

shell, rolecall = sys.argv[1], sys.argv[2]
init = {
    "bash": f'set -u; eval "$({rolecall} init bash --prompt)"',
    "zsh": f'setopt nounset; eval "$({rolecall} init zsh --prompt)"',
    "fish": f"{rolecall} init fish --prompt | source",
    # nushell reads a script at parse time: saved by one line, sourced by the next.
    "nu": f"^r#'{rolecall}'# init nu --prompt | save -f ~/init.nu\nsource ~/init.nu",
}[shell]


def setenv(name, value):
    return {"fish": f"set -gx {name} {value}", "nu": f"$env.{name} = '{value}'"}.get(shell, f"export {name}={value}")


# Roles last 900 s (duration_seconds) and are renewed under 890 s left. Nothing waits for the
# clock: `age` makes the shell's credentials and the cached role what they are 895 s after an
# assume (5 s left), which is what the hook and the cache read.
session = Session(shell, env={"ROLECALL_AUTO_REFRESH": "1", "ROLECALL_REFRESH_BEFORE": "890", "NO_COLOR": "1"})
run, env, check = session.run, session.env, session.check
cache = os.path.join(os.environ["HOME"], ".cache/rolecall")


def age(left):
    at = int(time.time()) + left
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    for entry in glob.glob(os.path.join(cache, "role-*.json")):
        with open(entry) as f:
            creds = json.load(f)
        creds["Expiration"] = stamp
        with open(entry, "w") as f:
            json.dump(creds, f)
    run(setenv("ROLECALL_EXPIRES_AT", at))


run("true")
for line in init.split("\n"):
    run(line)
run("assume admin --mfa-code 123456")
first = env()
check(first.get("AWS_PROFILE") == "admin", f"assume: {first}")
# A prompt within the margin's second changes nothing.
run("true")
check(env()["ROLECALL_EXPIRES_AT"] == first["ROLECALL_EXPIRES_AT"], "renewed before it was due")
# Under the margin, the next prompt renews, asking nothing (an MFA prompt would block this run).
age(5)
run("true")
after = env()
# (New credentials; their expiry may fall in the same second as the old ones'.)
check(after["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"], "not renewed: the same credentials")
check(after["ROLECALL_KEY_ID"] == after["AWS_ACCESS_KEY_ID"], "the renewal did not say which keys it set")
check(after.get("AWS_PROFILE") == "admin" and after.get("ROLECALL_PREVIOUS") == first.get("ROLECALL_PREVIOUS"),
      "the renewal changed the profile or `assume -`'s target")

# Keys exported by hand since (pasted from the SSO portal, another tool's) are never replaced,
# though the profile is the same and the refresh window comes.
hand = {"AWS_ACCESS_KEY_ID": "AKIAHANDSETHANDSET01", "AWS_SECRET_ACCESS_KEY": "handSetSecretHandSetSecret01"}
for name, value in hand.items():
    run(setenv(name, value))
age(5)
run("true")
e = env()
check(all(e.get(k) == v for k, v in hand.items()), f"auto-refresh replaced keys set by hand: {e.get('AWS_ACCESS_KEY_ID')}")
run("assume admin")

# The MFA session is gone (as when it expires): nothing is asked, one line says what to run,
# once, and the segment says `expired`.
for entry in glob.glob(os.path.join(cache, "*.json")):
    if os.path.basename(entry).startswith(("session-", "role-")):
        os.remove(entry)
past = int(time.time()) - 10
run(setenv("ROLECALL_EXPIRES_AT", past))
out = run("true")
check("needs a new MFA code" in out, f"no line about the MFA code: {out!r}")
out = run("true")
check("needs a new MFA code" not in out, f"tried again at the next prompt: {out!r}")
segment = run("print (rolecall_prompt)" if shell == "nu" else "rolecall_prompt; echo")
check("aws:admin eu-west-1 expired" in segment, f"segment: {segment!r}")
check(env()["ROLECALL_EXPIRES_AT"] == str(past), "the failed renewal changed the environment")
session.child.sendline("exit")
print(f"{shell}: ok")
