"""`rolecall login --console --remote PROFILE` on a pseudo-terminal, as over SSH: the person opens
the printed address on another device (here: urllib, which gets the page that shows the code),
and types the code the page shows. Usage: remote_login.py SHELL ROLECALL_BIN (SHELL unused)."""
import re
import sys
import urllib.request

import pexpect

rolecall = sys.argv[2]
profile = "remote"
child = pexpect.spawn(rolecall, ["login", "--console", "--remote", profile], encoding="utf-8", timeout=30,
                      dimensions=(50, 400))
child.expect(r"open\r?\n\s+(http\S+)")
url = child.match.group(1)
page = urllib.request.urlopen(url, timeout=10).read().decode()
code = re.search(r'id="verification">([^<]+)<', page).group(1)
child.expect("authorization code the page shows: ")
child.sendline(code)
child.expect(pexpect.EOF)
child.close()
if child.exitstatus != 0:
    sys.exit(f"the remote login failed: {child.before}")
if "signed in as" not in child.before:
    sys.exit(f"no sign-in said: {child.before}")
if code in child.before:
    sys.exit("the pasted code was echoed")
print("remote: ok")
