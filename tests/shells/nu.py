"""Drive a real interactive nushell through a pseudo-terminal (pexpect), set up as the README says
(the init script saved from env.nu, sourced from config.nu): assume, asp, `-`, `-u`, a failing
assume, hostile arguments, hostile credential values (quotes, `$()`, backticks, a newline) that
must arrive exactly through load-env, a NUL refused, the MFA prompt, the picker, completion of
profile names, the right-prompt segment, and `.awsprofile` (untrusted, allowed, left). The shell's
own environment is checked after each step. Used by tests/it/shells.rs.

    python3 nu.py nu ROLECALL_BIN   (HOME, PATH with rolecall's directory, AWS_ENDPOINT_URL_STS
                                     come from the environment)
"""
import os
import subprocess
import sys

import pexpect

from session import Session

rolecall = sys.argv[2]
home = os.environ["HOME"]
PROMPT = "__NU__> "
conf = os.path.join(home, ".config", "nushell")
os.makedirs(conf, exist_ok=True)
# The README's two lines: the first in env.nu (read before config.nu is parsed, so the file is
# there when `source` reads it), the second in config.nu.
with open(os.path.join(conf, "env.nu"), "w") as f:
    f.write("mkdir ~/.cache/rolecall\nrolecall init nu --prompt | save -f ~/.cache/rolecall/init.nu\n")
with open(os.path.join(conf, "config.nu"), "w") as f:
    f.write("$env.config.show_banner = false\n"
            f"$env.PROMPT_COMMAND = {{|| '{PROMPT}' }}\n$env.PROMPT_INDICATOR = ''\n"
            "$env.PROMPT_COMMAND_RIGHT = {|| 'theirs' }\n"
            "source ~/.cache/rolecall/init.nu\n")
session = Session("nu", argv=["nu", "--env-config", os.path.join(conf, "env.nu"), "--config",
                             os.path.join(conf, "config.nu")], cwd=home, prompt=PROMPT, env={"NO_COLOR": "1"})
child, run, env, contract, check, expect = (session.child, session.run, session.env, session.contract, session.check,
                                            session.expect)


expect(PROMPT)
run("print ready")

run("assume admin --mfa-code 123456")
e = env()
for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ROLECALL_EXPIRES_AT"]:
    check(e.get(var), f"{var} not set after assume")
check(e["AWS_PROFILE"] == "admin" and e["ROLECALL_PROFILE"] == "admin", "profile not admin")
check(e["AWS_REGION"] == "eu-west-1" and e.get("AWS_ACCOUNT_ID") == "123456789012", "region, account")
check(not any(k.startswith("__rolecall") for k in e), f"the hooks' state reached a child: {sorted(e)}")
arn = run("aws sts get-caller-identity --query Arn --output text")
check(":assumed-role/Admin/" in arn, f"aws CLI sees {arn}")
out = run("do $env.PROMPT_COMMAND_RIGHT")
check("aws:admin eu-west-1 " in out and "theirs" in out, f"the right prompt: {out!r}")

run("assume ops")
e = env()
check(e["AWS_PROFILE"] == "ops" and e["ROLECALL_PREVIOUS"] == "admin" and e["AWS_REGION"] == "us-east-2", "ops")
run("assume -")
check(env()["AWS_PROFILE"] == "admin", "assume - goes back")
before = contract()
out = run("assume ops -- sh -c 'echo via-exec:$AWS_PROFILE'")
check("via-exec:ops" in out and contract() == before, f"assume -- CMD: {out}")

before = contract()
out = run("assume nosuch")
check("profile `nosuch` not found" in out, f"the error: {out}")
check(contract() == before, "a failing assume changed the environment")
for hostile in ["x$(touch canary1)", "x`touch canary2`", "x; touch canary3", "x' ; touch canary4 ; echo '",
                'x" ; touch canary5 ; "', "x | touch canary6"]:
    run(f"assume r#'{hostile}'#")
check(not any(f.startswith("canary") for f in os.listdir(home)), "a hostile argument ran")
check(contract() == before, "a hostile argument changed the environment")

# Values no shell may interpret, through load-env: they arrive exactly.
run("assume hostile")
e = env()
check(e.get("AWS_SECRET_ACCESS_KEY") == "';touch${IFS}CANARY2;echo'\"$(touch${IFS}CANARY3)`touch${IFS}CANARY4`",
      f"the secret changed on the way: {e.get('AWS_SECRET_ACCESS_KEY')!r}")
check(e.get("AWS_SESSION_TOKEN") == "(touch${IFS}CANARY5){||1}$HOME^ls", f"the token: {e.get('AWS_SESSION_TOKEN')!r}")
check(not any(f.startswith("CANARY") for f in os.listdir(home)), "a hostile value ran")
before = contract(e)
for refused in ["nul", "newline"]:
    run(f"assume {refused}")
    check(contract() == before, f"refused credentials ({refused}) changed the environment")
check(not os.path.exists(os.path.join(home, "CANARY")), "a NUL in credentials ran code")

run("asp base")
e = env()
check(e["AWS_PROFILE"] == "base" and "AWS_ACCESS_KEY_ID" not in e and "AWS_ACCOUNT_ID" not in e, "asp base")
run("assume -u")
check(contract() == {"ROLECALL_PREVIOUS": "base"}, "assume -u")
run("asp -")
check(env().get("AWS_PROFILE") == "base", "asp - after assume -u")
run("asp -u")

# The MFA prompt on the terminal, from inside the command's capture.
run("assume cli-style", answer="123456")
check(env()["AWS_PROFILE"] == "cli-style", "assume after the MFA prompt")

# The picker: typing filters, Enter picks; Esc changes nothing.
session.n += 1
n = session.n
child.sendline(f"assume; print ('__E' + 'ND{n}__')")
expect("profile> ")
child.send("ops")
expect("1/")
child.send("\r")
expect(f"__END{n}__")
expect(PROMPT)
check(env()["AWS_PROFILE"] == "ops", "picked ops")
before = contract()
session.n += 1
n = session.n
child.sendline(f"assume; print ('__E' + 'ND{n}__')")
expect("profile> ")
child.send("\x1b")
expect(f"__END{n}__")
expect(PROMPT)
check(contract() == before, "Esc in the picker changed the environment")

# Completion: profile names after `assume`, rolecall's subcommands, a subcommand's flags.
for typed, rest in [("assume cli-st", "yle"), ("rolecall cred", "ential-process"), ("assume --no-ca", "che"),
                    ("rolecall exec cli-st", "yle")]:
    child.send(typed + "\t")
    expect(rest)
    child.send("\x15")
run("print completed")

# .awsprofile: a tree that waits for `rolecall allow`, then applies at the next prompt, and is
# put back on leaving it.
run("assume -u; $env.AWS_PROFILE = 'base'")
os.makedirs(os.path.join(home, "proj", "sub"), exist_ok=True)
with open(os.path.join(home, "proj", ".awsprofile"), "w") as f:
    f.write("ops\n")
out = run("cd proj/sub")
check("run 'rolecall allow'" in out, f"no word of the untrusted file: {out}")
check(env().get("AWS_PROFILE") == "base", "an untrusted file was applied")
subprocess.run([rolecall, "allow", os.path.join(home, "proj", ".awsprofile")], check=True, capture_output=True)
run("print next")  # the prompt after this one sees the trust store's new line
e = env()
check(e.get("AWS_PROFILE") == "ops" and e.get("ROLECALL_DIR_RESTORE"), f"the allowed file: {contract(e)}")
run("cd ~")
check(env().get("AWS_PROFILE") == "base", "leaving the tree did not put the profile back")
run("cd proj; asp admin")
check(env().get("AWS_PROFILE") == "admin", "asp inside the tree")
run("cd ~")
check(env().get("AWS_PROFILE") == "admin", "what was typed last (asp) was undone on leaving")

child.sendline("exit")
child.expect(pexpect.EOF)
print("nu: ok")
