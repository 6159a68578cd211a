//! `.awsprofile`: the hook in real bash, zsh and fish through a pseudo-terminal
//! (tests/shells/dir.py), against a real moto_server for ROLECALL_DIR_ACTION=assume; the steady
//! state starting no process (strace); `rolecall allow`, `deny`, `allow --list` and `dir`.

use crate::common;

use common::moto::{Moto, require};
use common::{Run, TempHome};
use std::path::Path;
use std::process::{Command, Stdio};

const CONFIG: &str = "\
[profile base]
region = eu-west-1

[profile admin]
source_profile = base
role_arn = arn:aws:iam::123456789012:role/Admin
region = eu-west-1

[profile ops]
source_profile = base
role_arn = arn:aws:iam::123456789012:role/Ops
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

/// A HOME with the profiles and the trees the sessions walk through.
fn home() -> TempHome {
    let home = TempHome::new();
    home.write_files(CONFIG, CREDENTIALS);
    let file = |dir: &str, text: &str| {
        let dir = home.path.join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".awsprofile"), text).unwrap();
    };
    file("proj", "# the project's account\nops\nregion = ap-south-1\n");
    std::fs::create_dir_all(home.path.join("proj/sub")).unwrap();
    std::fs::create_dir_all(home.path.join("proj/new\nline")).unwrap();
    file("evil", "$(touch canary1)`touch canary2`; touch canary3 'q\"\nregion = $(touch canary4)\n");
    file("evil2", "\x1b[31mred\n");
    file("x$(touch canary5)`touch canary6`'q", "base\n");
    file("assumed", "ops\nregion = us-west-2\n");
    file("adminproj", "admin\n");
    home
}

fn session(shell: &str) {
    if !require(shell) || !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = home();
    home.drive("dir.py", shell, &[("AWS_ENDPOINT_URL_STS", &moto.url)]);
    assert_eq!(moto.count("AssumeRole"), 2, "one AssumeRole for admin (then cached), one for the assumed tree");
}

#[test]
fn bash_session() {
    session("bash");
}

#[test]
fn zsh_session() {
    session("zsh");
}

#[test]
fn fish_session() {
    session("fish");
}

/// rolecall in `dir` under `home`, with `$PWD` as a shell would set it.
fn run_in(home: &TempHome, dir: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let cwd = home.path.join(dir);
    let pwd = cwd.to_string_lossy().into_owned();
    let mut all = vec![("PWD", pwd.as_str())];
    all.extend_from_slice(env);
    let out = home
        .command(env!("CARGO_BIN_EXE_rolecall"), &all)
        .args(args)
        .current_dir(&cwd)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(out, &home.path)
}

#[test]
fn allow_deny_list_and_status() {
    let home = home();
    let status = |dir: &str| -> serde_json::Value {
        let run = run_in(&home, dir, &["dir", "--json"], &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    };
    assert_eq!(status("proj/sub")["trust"], "unknown");
    assert_eq!(status("proj/sub")["profile"], "ops");
    assert_eq!(status("proj/sub")["region"], "ap-south-1");
    assert_eq!(status(".").as_null(), Some(()), "no file from HOME up");

    let run = run_in(&home, "proj/sub", &["allow"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.trim(), "rolecall: allowed ../.awsprofile (profile 'ops')");
    assert_eq!(status("proj/sub")["trust"], "allowed");

    // The store: private, one line per file with the place and its digest.
    use std::os::unix::fs::PermissionsExt;
    let store = home.path.join(".local/share/rolecall/allowed");
    assert_eq!(std::fs::metadata(&store).unwrap().permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&store).unwrap();
    let real = std::fs::canonicalize(home.path.join("proj/.awsprofile")).unwrap();
    let line = text.lines().nth(1).unwrap();
    let (digest, path) = line.split_once(' ').unwrap();
    assert_eq!(path, real.to_str().unwrap());
    // sha256 of the place (the real directory it was found in, and its name), NUL, the file it
    // is (the same here: no symlink), NUL, the content.
    let mut input = real.to_str().unwrap().as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(real.to_str().unwrap().as_bytes());
    input.push(0);
    input.extend_from_slice(&std::fs::read(&real).unwrap());
    let expected = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().and_then(|mut c| {
        use std::io::Write;
        c.stdin.take().unwrap().write_all(&input)?;
        c.wait_with_output()
    });
    if let Ok(out) = expected {
        assert_eq!(digest, String::from_utf8_lossy(&out.stdout).split(' ').next().unwrap());
    }

    // Allowing a file that names no profile in the files warns; a directory works as PATH.
    let run = run_in(&home, ".", &["allow", "evil"], &[]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("warning: profile '$(touch canary1)"), "{}", run.stderr);

    std::fs::write(home.path.join("proj/.awsprofile"), "admin\n").unwrap();
    assert_eq!(status("proj")["trust"], "changed");
    let list = run_in(&home, ".", &["allow", "--list", "--json"], &[]);
    let list: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(list[0]["state"], "changed");
    assert_eq!(list[0]["profile"], "admin");
    assert_eq!(list[1]["state"], "allowed");

    std::fs::remove_dir_all(home.path.join("evil")).unwrap();
    let text = run_in(&home, ".", &["allow", "--list"], &[]).stdout;
    assert!(text.lines().nth(1).unwrap().starts_with("missing "), "{text}");
    // A file that is gone can still be denied by its path.
    let run = run_in(&home, ".", &["deny", "evil/.awsprofile"], &[]);
    assert_eq!(run.stderr.trim(), "rolecall: denied evil/.awsprofile");
    let run = run_in(&home, "proj", &["deny"], &[]);
    assert_eq!(run.stderr.trim(), "rolecall: denied ./.awsprofile");
    assert_eq!(run_in(&home, ".", &["allow", "--list", "--json"], &[]).stdout, "[]\n");
    let run = run_in(&home, "proj", &["deny"], &[]);
    assert_eq!(run.stderr.trim(), "rolecall: ./.awsprofile was not allowed");

    for (dir, args, want) in [
        (".", &["allow"][..], "rolecall: no .awsprofile in "),
        (".", &["allow", "nothere"][..], "rolecall: nothere: no such file"),
    ] {
        let run = run_in(&home, dir, args, &[]);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(run.stderr.starts_with(want) && run.stderr.lines().count() == 1, "{args:?}: {}", run.stderr);
    }
    let run = run_in(&home, "proj", &["dir", "--shell", "json"], &[]);
    assert_eq!(run.code, 2, "--shell of the hook takes a shell only: {}", run.stderr);
    std::fs::write(home.path.join("proj/.awsprofile"), "# nothing\n\n").unwrap();
    let run = run_in(&home, "proj", &["allow"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("names no profile"), "{}", run.stderr);
}

#[test]
fn hook_output_is_quoted_and_restores_exactly() {
    let home = home();
    // Profile names are limited by the SDKs' rules (what is left of them is used here); the
    // region line and the variables the shell had before are anything.
    let name = "odd%name@x:y+z/.";
    let region = "r'$(touch canary7)`touch canary8`;|&\"x\" ü\n$HOME";
    home.write(
        "config",
        &format!("{CONFIG}\n[profile {name}]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/Odd\n"),
    );
    std::fs::write(home.path.join("proj/.awsprofile"), format!("{name}\nregion = {region}\n")).unwrap();
    assert_eq!(run_in(&home, "proj", &["allow"], &[]).code, 0);
    let region = region.split('\n').next().unwrap();
    for shell in ["bash", "zsh", "fish"].iter().filter(|s| require(s)) {
        let hook = run_in(
            &home,
            "proj",
            &["dir", "--shell", shell],
            &[("AWS_PROFILE", "before'$(touch canary9)"), ("AWS_DEFAULT_REGION", "keep")],
        );
        assert_eq!(hook.code, 0, "{}", hook.stderr);
        // Leaving: the hook runs `rolecall dir` with no file, in the environment the first left.
        let restore = format!("eval \"$('{bin}' dir --shell {shell} -- '')\"", bin = env!("CARGO_BIN_EXE_rolecall"));
        let restore = if *shell == "fish" {
            format!("'{}' dir --shell fish -- '' | source", env!("CARGO_BIN_EXE_rolecall"))
        } else {
            restore
        };
        let script = format!(
            "{}\nprintf '%s|%s|%s\\n' \"$AWS_PROFILE\" \"$AWS_REGION\" \"$ROLECALL_PREVIOUS\"\n{restore}\n\
             printf '%s|%s|%s\\n' \"$AWS_PROFILE\" \"$AWS_DEFAULT_REGION\" \"$ROLECALL_DIR_RESTORE\"\n",
            hook.stdout
        );
        let out = Command::new(shell)
            .arg("-c")
            .arg(&script)
            .env("AWS_PROFILE", "before'$(touch canary9)")
            .env("AWS_DEFAULT_REGION", "keep")
            .env_remove("AWS_REGION")
            .current_dir(&home.path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text,
            format!("{name}|{region}|before'$(touch canary9)\nbefore'$(touch canary9)|keep|\n"),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let canaries: Vec<_> = std::fs::read_dir(&home.path)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("canary"))
        .collect();
    assert!(canaries.is_empty(), "{canaries:?}");
}

/// In a tree whose file is applied, prompts and `cd` inside the tree start no process: only the
/// one `rolecall dir` when the tree is entered.
#[test]
fn the_steady_state_starts_no_process() {
    if !require("strace") {
        return;
    }
    let home = home();
    assert_eq!(run_in(&home, "proj", &["allow"], &[]).code, 0);
    for shell in ["bash", "zsh", "fish"].iter().filter(|s| require(s)) {
        let init = home.run(&["init", shell]);
        let file = home.path.join(format!("init.{shell}"));
        std::fs::write(&file, &init.stdout).unwrap();
        let loop_ = match *shell {
            "fish" => {
                "for i in 1 2 3 4 5 6 7 8 9 10; cd sub; __rolecall_dir_hook; cd ..; __rolecall_dir_hook; end".to_owned()
            }
            _ => "for i in {1..10}; do cd sub; __rolecall_dir_hook; cd ..; __rolecall_dir_hook; done".to_owned(),
        };
        let code =
            format!("source '{}'; cd proj; __rolecall_dir_hook; {loop_}; printf '%s' \"$AWS_PROFILE\"", file.display());
        let trace = home.path.join(format!("trace.{shell}"));
        let mut cmd = home.command("strace", &[]);
        cmd.args(["-f", "-qq", "-e", "trace=fork,vfork,clone,clone3,execve", "-o"]).arg(&trace).arg(shell);
        if *shell == "zsh" {
            cmd.arg("-f");
        }
        if *shell == "fish" {
            cmd.arg("--no-config");
        }
        let out = cmd.arg("-c").arg(&code).current_dir(&home.path).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "ops", "{shell}: the tree was applied");
        let text = std::fs::read_to_string(&trace).unwrap();
        let execs: Vec<&str> = text.lines().filter(|l| l.contains("execve(") && !l.contains("resumed")).collect();
        assert_eq!(execs.len(), 2, "{shell}: the shell and one `rolecall dir`:\n{}", execs.join("\n"));
        assert!(execs[1].contains("rolecall") && execs[1].contains("\"dir\""), "{}", execs[1]);
    }
}

#[test]
fn dir_status_for_people() {
    let home = home();
    let run = run_in(&home, "proj/sub", &["dir"], &[]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "file     $HOME/proj/.awsprofile\nprofile  ops\nregion   ap-south-1\ntrust    not allowed: run 'rolecall allow'\naction   asp\n"
    );
    let run = run_in(&home, "proj", &["dir"], &[("ROLECALL_DIR_ACTION", "sudo")]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr.trim(), "rolecall: ROLECALL_DIR_ACTION=\"sudo\": use asp or assume");
    assert!(Path::new(&home.path).join("proj").is_dir());
}

/// `fish -c`, scripts and other shells that are not interactive load the functions but no hook: a
/// script that `cd`s into an allowed tree keeps its profile.
#[test]
fn scripts_do_not_switch_profiles() {
    let home = home();
    assert_eq!(run_in(&home, "proj", &["allow"], &[]).code, 0);
    for shell in ["bash", "zsh", "fish"].iter().filter(|s| require(s)) {
        let init = home.run(&["init", shell, "--prompt"]);
        let file = home.path.join(format!("init.{shell}"));
        std::fs::write(&file, &init.stdout).unwrap();
        let code = format!("source '{}'; cd proj; cd sub; printf '[%s]' \"$AWS_PROFILE\"", file.display());
        let mut cmd = home.command(shell, &[("AWS_PROFILE", "mine")]);
        if *shell == "zsh" {
            cmd.arg("-f");
        }
        if *shell == "fish" {
            cmd.arg("--no-config");
        }
        let out = cmd.arg("-c").arg(&code).current_dir(&home.path).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "[mine]", "{shell}: a script switched profiles");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{shell}");
    }
}
