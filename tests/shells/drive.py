"""Drive a real interactive shell through a pseudo-terminal (pexpect): load rolecall's init
line over aliases of the same names (granted's, awsume's) and of the builtins it uses, then
assume, asp, `-`, `-u`, a failing assume, hostile arguments and credentials, a region the person
set, the MFA prompt (and Ctrl-C at it), and init lines that later lines of an rc file undo;
check the shell's own environment after each step. Used by tests/it/shells.rs.

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
# Aliases that would break the script: granted's and awsume's, and ones over the builtins it uses.
if shell == "fish":
    run("alias assume 'source assume'; alias awsume '. awsume'")
else:
    run("alias assume='source assume'; alias awsume='. awsume'; alias local='echo hijacked'; "
        "alias command='echo hijacked'; alias return='echo hijacked'; alias unset='echo hijacked'; "
        "alias printf='echo hijacked'; alias read='echo hijacked'; alias shift='echo hijacked'")
run(init)
run(init)  # twice: defines the same things again, nothing breaks
awsume_init = {
    "bash": f'eval "$({rolecall} init bash --assume-cmd awsume --asp-cmd awsp)"',
    "zsh": f'eval "$({rolecall} init zsh --assume-cmd awsume --asp-cmd awsp)"',
    "fish": f"{rolecall} init fish --assume-cmd awsume --asp-cmd awsp | source",
}[shell]
run(awsume_init)

# Profile names complete after `assume` (from `rolecall list --names`).
child.send("assume cli-st\t")
child.expect_exact("yle")
child.send("\x15")  # Ctrl-U: drop the line
run("true")

# Subcommands after `rolecall`, flags after `-` (for rolecall's subcommands and for `assume`),
# profiles after the commands that take one: each completes to one word.
bindir = os.path.dirname(rolecall)
run(f"set -gx PATH {bindir} $PATH" if shell == "fish" else f"export PATH={bindir}:$PATH")
for typed, rest in [("rolecall cred", "ential-process "), ("rolecall assume --no-pr", "ompt "),
                    ("assume --no-ca", "che "), ("assume --mfa-c", "ode "), ("rolecall exec cli-st", "yle "),
                    ("rolecall rot", "ate ")]:
    child.send(typed + "\t")
    child.expect_exact(rest)
    child.send("\x15")
    run("true")

run(f"assume admin --mfa-code 123456")
e = env()
for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
            "AWS_SESSION_EXPIRATION", "ROLECALL_EXPIRES_AT"]:
    check(e.get(var), f"{var} not set after assume")
check(e.get("AWS_ACCOUNT_ID") == "123456789012", f"AWS_ACCOUNT_ID after assume: {e.get('AWS_ACCOUNT_ID')}")
check(e["AWS_PROFILE"] == "admin" and e["ROLECALL_PROFILE"] == "admin", "profile not admin")
check(e["AWS_REGION"] == "eu-west-1" and e["AWS_DEFAULT_REGION"] == "eu-west-1", "region")
check("AWS_SECURITY_TOKEN" not in e and "ROLECALL_PREVIOUS" not in e, "unexpected variables")
arn = run("aws sts get-caller-identity --query Arn --output text")
check(":assumed-role/Admin/" in arn, f"aws CLI sees {arn}")

run("awsume ops")
e = env()
check(e["AWS_PROFILE"] == "ops" and e["ROLECALL_PREVIOUS"] == "admin", "awsume ops (--assume-cmd, over an alias)")
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

# Credentials that no shell variable can hold exactly (a NUL), next to one that would run code if
# the line were cut there: refused before anything is printed, nothing runs, nothing changes.
run("assume nul", expect_status=1)
check(not os.path.exists(os.path.join(home, "CANARY")), "a NUL in credentials ran code")
check(contract(env()) == before, "refused credentials changed the environment")

run("asp base")
e = env()
check(e["AWS_PROFILE"] == "base" and e["ROLECALL_PREVIOUS"] == "admin", "asp base")
check("AWS_ACCESS_KEY_ID" not in e and "ROLECALL_EXPIRES_AT" not in e and "AWS_ACCOUNT_ID" not in e, "asp leaves no credentials")

# The MFA prompt, from inside the function's command substitution, on the terminal; a code as
# authenticator apps show it, after an empty Enter (not counted as a try).
session.n += 1
child.sendline(f"assume cli-style; echo __END{session.n}__{status_var}")
child.expect_exact("MFA code for ")
child.sendline("")
child.expect_exact("MFA code for ")
child.sendline("123 456")
child.expect(rf"__END{session.n}__(\d+)")
check(child.match.group(1) == "0", f"the MFA prompt: exit {child.match.group(1)}: {child.before}")
check(env()["AWS_PROFILE"] == "cli-style", "assume after the MFA prompt")

# Ctrl-C at the MFA prompt: nothing changes, and the next prompt starts on a line of its own.
before = contract(env())
marker = "__PS__> "
run(f"function fish_prompt; printf '%s' '{marker}'; end" if shell == "fish" else f"PS1='{marker}'")
child.sendline("assume cli-style --refresh")
child.expect_exact("MFA code for ")
child.send("\x03")
child.expect_exact(marker)
check("\n" in child.before, f"Ctrl-C at the MFA prompt left no newline: {child.before!r}")
check(contract(env()) == before, "Ctrl-C at the MFA prompt changed the environment")

# A region the person set stays when the profile has none; one rolecall set goes with the next
# profile that has none; `assume -u` clears only what rolecall set.
run("assume -u")
# (The aws CLI v1 reads AWS_DEFAULT_REGION, the SDKs AWS_REGION: the person sets both.)
run("set -gx AWS_REGION ap-southeast-2; set -gx AWS_DEFAULT_REGION ap-southeast-2" if shell == "fish"
    else "export AWS_REGION=ap-southeast-2 AWS_DEFAULT_REGION=ap-southeast-2")
run("assume noregion")
e = env()
check(e.get("AWS_REGION") == "ap-southeast-2" and e.get("AWS_DEFAULT_REGION") == "ap-southeast-2"
      and "ROLECALL_REGION" not in e, f"the person's region was wiped: {e}")
arn = run("aws sts get-caller-identity --query Arn --output text")
check(":assumed-role/NoRegion/" in arn, f"aws CLI with the person's region: {arn}")
run("assume -u")
check(env().get("AWS_REGION") == "ap-southeast-2", "assume -u cleared a region rolecall did not set")
run("set -e AWS_DEFAULT_REGION" if shell == "fish" else "\\unset AWS_DEFAULT_REGION")
run("assume admin")
e = env()
check(e.get("AWS_REGION") == "eu-west-1" and e.get("ROLECALL_REGION") == "eu-west-1", f"profile region: {e}")
run("assume noregion")
e = env()
check("AWS_REGION" not in e and "AWS_DEFAULT_REGION" not in e, f"rolecall's region for admin stayed: {e}")


def open_picker():
    """`assume` with no profile on the terminal: the picker is up; the marker number that ends it."""
    session.n += 1
    child.sendline(f"assume; echo __END{session.n}__{status_var}")
    child.expect_exact("profile> ")
    return session.n


# The picker: most recently used first; typing filters; Enter picks; Esc changes nothing.
before = contract(env())
n = open_picker()
child.send("ops")
child.expect_exact("1/7")
child.send("\r")
child.expect(rf"__END{n}__(\d+)")
check(child.match.group(1) == "0", f"picker exit {child.match.group(1)}")
e = env()
check(e["AWS_PROFILE"] == "ops" and e["ROLECALL_PREVIOUS"] == "noregion", f"picked ops: {e}")
before = contract(e)
n = open_picker()
child.send("\x1b")
child.expect(rf"__END{n}__(\d+)")
check(child.match.group(1) == "130", f"Esc exit {child.match.group(1)}")
check(contract(env()) == before, "Esc changed the environment")

# Enter on a profile the picker marks unusable says why, and stays; so does Enter with no match.
n = open_picker()
child.send("broken")
child.expect_exact("1/7")
child.send("\r")
child.expect_exact("`broken` cannot be used: ")
child.send("\x15")  # Ctrl-U: the query is empty again
child.send("zzzz")
child.expect_exact("0/7")
child.send("\r")
child.expect_exact("no profile matches `zzzz`")
child.send("\x1b")
child.expect(rf"__END{n}__(\d+)")
check(child.match.group(1) == "130", f"Esc after the notices: exit {child.match.group(1)}")
check(contract(env()) == before, "an unusable profile or no match changed the environment")

run("assume -u")
e = env()
check(contract(e) == {"ROLECALL_PREVIOUS": "ops"}, f"assume -u left {contract(e)}")
# `assume -` after `assume -u` brings the profile back.
run("assume -")
e = env()
check(e.get("AWS_PROFILE") == "ops" and e.get("AWS_ACCESS_KEY_ID"), f"assume - after assume -u: {contract(e)}")
run("asp -u")
run("asp -")
check(env().get("AWS_PROFILE") == "ops", "asp - after asp -u")
run("assume -u")

# Lines after the init line that undo its hooks: the hooks come back.
if shell == "bash":
    # bash 5.1+: the hook is an element of the PROMPT_COMMAND array; `PROMPT_COMMAND=x` is element 0.
    run(f'eval "$({rolecall} init bash --prompt)"; PROMPT_COMMAND=true')
    out = run('echo "[${PROMPT_COMMAND[*]}]"')
    check("__rolecall_hook" in out, f"PROMPT_COMMAND=... removed the hook: {out}")
    # A PROMPT_COMMAND made anew (unset first): the next asp puts the hook back, and says so once.
    run("\\unset PROMPT_COMMAND; PROMPT_COMMAND=true")
    out = run("asp base")
    check("PROMPT_COMMAND was replaced" in out, f"no notice of the lost hook: {out}")
    out = run('echo "[${PROMPT_COMMAND[*]}]"')
    check("__rolecall_hook" in out, f"the hook was not put back: {out}")
    out = run("asp base")
    check("PROMPT_COMMAND was replaced" not in out, f"the notice came twice: {out}")
    run(f'eval "$({rolecall} init bash --prompt)"; PS1=\'plain> \'')
    out = run('echo "[$PS1]"')
    check("__rolecall_ps1" in out, f"a PS1 set after the init line lost the segment: {out}")
elif shell == "zsh":
    run(f'eval "$({rolecall} init zsh --prompt)"; RPROMPT=theirs')
    out = run('print -r -- "[$RPROMPT]"')
    check("__rolecall_rps1" in out and "theirs" in out, f"an RPROMPT set after the init line: {out}")
    run("precmd_functions=()")
    out = run("asp base")
    check("precmd_functions was replaced" in out, f"no notice of the lost hook: {out}")
    out = run('print -r -- "[$precmd_functions]"')
    check("__rolecall_hook" in out, f"the hook was not put back: {out}")
else:
    run(f"{rolecall} init fish --prompt | source; function fish_right_prompt; printf theirs; end")
    run("asp base")
    out = run("fish_right_prompt")
    check("aws:base" in out and "theirs" in out, f"a fish_right_prompt defined after the init line: {out}")

child.sendline("exit")
child.expect(pexpect.EOF)
print(f"{shell}: ok")
