//! The prompt segment of each init script in real bash, zsh, fish and nushell: the text at 42 minutes,
//! 5 minutes, expired and with no profile; colours and NO_COLOR; hostile values shown, never
//! run; `--prompt` wiring; and no process started (strace).

use crate::common;

use common::TempHome;
use common::moto::require;
use std::process::Command;

/// bash, zsh, fish and nushell (whose segment and hooks are nu code of their own).
const SHELLS: &[&str] = &["bash", "zsh", "fish", "nu"];

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The init script for `shell`, written to a file in `home`.
fn script(home: &TempHome, shell: &str) -> std::path::PathBuf {
    // With auto-refresh on when `init` runs, as in an rc file that exports it first: its check is
    // in the script, not loaded at the first prompt.
    let run = home.run_env(&["init", shell, "--prompt"], &[("ROLECALL_AUTO_REFRESH", "1")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = home.path.join(format!("init.{shell}"));
    std::fs::write(&path, run.stdout.replace("$HOME", &home.path.to_string_lossy())).unwrap();
    path
}

/// `rolecall_prompt` in `shell` with `env`.
fn prompt(shell: &str, file: &std::path::Path, env: &[(&str, String)]) -> String {
    let strict = match shell {
        "bash" => "set -u; ",
        "zsh" => "setopt nounset; ",
        _ => "",
    };
    let mut cmd = Command::new(shell);
    if shell == "zsh" {
        cmd.arg("-f");
    }
    if shell == "fish" {
        cmd.arg("--no-config");
    }
    if shell == "nu" {
        cmd.arg("--no-config-file");
    }
    let call = if shell == "nu" { "print -n (rolecall_prompt)" } else { "rolecall_prompt" };
    cmd.arg("-c").arg(format!("{strict}source '{}'; {call}", file.display()));
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key.starts_with("ROLECALL_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn segment_text_and_colours() {
    let home = TempHome::new();
    for shell in SHELLS.iter().filter(|s| require(s)) {
        let file = script(&home, shell);
        let at = |mins: i64| (now() + mins * 60 + 30).to_string();
        let plain = |extra: &[(&str, String)]| {
            let mut env = vec![("NO_COLOR", "1".to_owned()), ("ROLECALL_PROFILE", "prod".to_owned())];
            env.extend_from_slice(extra);
            prompt(shell, &file, &env)
        };
        assert_eq!(
            plain(&[("AWS_REGION", "eu-west-1".into()), ("ROLECALL_EXPIRES_AT", at(42))]),
            "aws:prod eu-west-1 42m",
            "{shell}"
        );
        assert_eq!(plain(&[("ROLECALL_EXPIRES_AT", at(5))]), "aws:prod 5m", "{shell}");
        assert_eq!(plain(&[("ROLECALL_EXPIRES_AT", at(185))]), "aws:prod 3h05m", "{shell}");
        let half_a_minute = (now() + 30).to_string();
        assert_eq!(plain(&[("ROLECALL_EXPIRES_AT", half_a_minute)]), "aws:prod <1m", "{shell}: the last minute");
        assert_eq!(plain(&[("ROLECALL_EXPIRES_AT", (now() - 10).to_string())]), "aws:prod expired", "{shell}");
        assert_eq!(plain(&[]), "aws:prod", "{shell}: no expiry (asp)");
        assert_eq!(prompt(shell, &file, &[]), "", "{shell}: no profile, nothing");
        assert_eq!(prompt(shell, &file, &[("AWS_PROFILE", "dev".into())]), "\x1b[36maws:dev\x1b[0m", "{shell}");
        let coloured = |exp: String, warn: Option<&str>| {
            let mut env = vec![("ROLECALL_PROFILE", "prod".to_owned()), ("ROLECALL_EXPIRES_AT", exp)];
            if let Some(w) = warn {
                env.push(("ROLECALL_PROMPT_WARN", w.to_owned()));
            }
            prompt(shell, &file, &env)
        };
        assert_eq!(coloured(at(42), None), "\x1b[36maws:prod 42m\x1b[0m", "{shell}");
        assert_eq!(coloured(at(5), None), "\x1b[33maws:prod 5m\x1b[0m", "{shell}: warning colour");
        assert_eq!(coloured(at(42), Some("60")), "\x1b[33maws:prod 42m\x1b[0m", "{shell}: ROLECALL_PROMPT_WARN");
        assert_eq!(coloured("1".into(), None), "\x1b[31maws:prod expired\x1b[0m", "{shell}: expired");
        // Hostile values are shown as they are, and run nothing; a non-number expiry is ignored.
        let hostile = "p$(touch PWNED)`touch PWNED`;%s'\"";
        let got = prompt(
            shell,
            &file,
            &[
                ("NO_COLOR", "1".into()),
                ("ROLECALL_PROFILE", hostile.into()),
                ("AWS_REGION", "r$(touch PWNED)".into()),
                ("ROLECALL_EXPIRES_AT", "a[$(touch PWNED)]".into()),
                ("ROLECALL_PROMPT_WARN", "$(touch PWNED)".into()),
            ],
        );
        assert_eq!(got, format!("aws:{hostile} r$(touch PWNED)"), "{shell}");
        assert!(!std::path::Path::new("PWNED").exists() && !home.path.join("PWNED").exists());
    }
}

#[test]
fn prompt_flag_puts_the_segment_in_the_prompt() {
    let home = TempHome::new();
    let exp = (now() + 42 * 60 + 30).to_string();
    let run = |shell: &str, code: &str| {
        let file = script(&home, shell);
        // Interactive: the hooks are installed only there.
        let mut cmd = Command::new(shell);
        match shell {
            "bash" => cmd.args(["--norc", "--noprofile", "-i"]),
            "zsh" => cmd.args(["-f", "-i"]),
            _ => cmd.args(["--no-config", "-i"]),
        };
        let out = cmd
            .env("HOME", &home.path)
            .arg("-c")
            .arg(code.replace("FILE", &file.to_string_lossy()))
            .env("ROLECALL_PROFILE", "prod")
            .env("ROLECALL_EXPIRES_AT", &exp)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    if require("bash") {
        let out = run(
            "bash",
            "PS1='mine> '; PROMPT_COMMAND=theirs; theirs() { :; }; source FILE; source FILE; __rolecall_hook; echo \"${PS1@P}|${PROMPT_COMMAND[*]}\"",
        );
        // bash 5.1 and later: an element of the PROMPT_COMMAND array, after the person's own.
        assert_eq!(out.trim(), "aws:prod 42m mine> |theirs __rolecall_hook", "kept PS1 and PROMPT_COMMAND, hook once");
    }
    if require("zsh") {
        let out = run(
            "zsh",
            "RPROMPT='user'; source FILE; source FILE; __rolecall_hook; print -rP -- \"$RPROMPT|$precmd_functions\"",
        );
        assert_eq!(out.trim(), "aws:prod 42m user|__rolecall_hook");
    }
    if require("fish") {
        let out =
            run("fish", "function fish_right_prompt; echo -n user; end; source FILE; source FILE; fish_right_prompt");
        assert_eq!(out.trim(), "aws:prod 42m user");
    }
}

/// The hook keeps the segment while what it is made of and its minute stay the same, refreshes it
/// as soon as either changes, and passes the last command's status on.
#[test]
fn the_hook_refreshes_when_the_environment_or_the_minute_changes() {
    let home = TempHome::new();
    for shell in ["bash", "zsh"].iter().filter(|s| require(s)) {
        let file = script(&home, shell);
        let show = if *shell == "bash" { "echo \"[${__rolecall_ps1}]\"" } else { "print -r -- \"[$__rolecall_rps1]\"" };
        let strict = if *shell == "bash" { "set -u" } else { "setopt nounset" };
        let code = format!(
            "{strict}; source '{}'; export NO_COLOR=1 ROLECALL_PROFILE=prod ROLECALL_EXPIRES_AT=$(($(date +%s) + 61))
             __rolecall_hook; {show}; __rolecall_hook; {show}
             export AWS_REGION=eu-west-1; __rolecall_hook; {show}
             sleep 2.2; __rolecall_hook; {show}
             unset ROLECALL_PROFILE; __rolecall_hook; {show}
             false; __rolecall_hook; echo \"status $?\"",
            file.display()
        );
        let mut cmd = Command::new(shell);
        if *shell == "zsh" {
            cmd.arg("-f");
        }
        let out = cmd.arg("-c").arg(&code).env_remove("AWS_REGION").env_remove("AWS_PROFILE").output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "[aws:prod 1m ]\n[aws:prod 1m ]\n[aws:prod eu-west-1 1m ]\n[aws:prod eu-west-1 <1m ]\n[]\nstatus 1\n",
            "{shell}"
        );
    }
}

/// fish's right prompt keeps its segment the same way, timed by /proc/uptime (its clock may be a
/// second behind, hence the longer wait).
#[test]
fn fish_refreshes_its_right_prompt_when_due() {
    if !require("fish") {
        return;
    }
    let home = TempHome::new();
    let file = script(&home, "fish");
    let code = format!(
        "source '{}'; set -gx NO_COLOR 1; set -gx ROLECALL_PROFILE prod
         set -gx ROLECALL_EXPIRES_AT (math (date +%s) + 61)
         echo \"[\"(__rolecall_right_prompt)\"]\"; echo \"[\"(__rolecall_right_prompt)\"]\"
         set -gx AWS_REGION eu-west-1; echo \"[\"(__rolecall_right_prompt)\"]\"
         sleep 3.2; echo \"[\"(__rolecall_right_prompt)\"]\"
         set -e ROLECALL_PROFILE; echo \"[\"(__rolecall_right_prompt)\"]\"",
        file.display()
    );
    let out = Command::new("fish")
        .args(["--no-config", "-c", &code])
        .env_remove("AWS_REGION")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        // (An empty command substitution makes fish's `"["(…)"]"` an empty list: a bare newline.)
        "[aws:prod 1m ]\n[aws:prod 1m ]\n[aws:prod eu-west-1 1m ]\n[aws:prod eu-west-1 <1m ]\n\n"
    );
}

#[test]
fn the_prompt_starts_no_process() {
    if !require("strace") {
        return;
    }
    let home = TempHome::new();
    let exp = (now() + 42 * 60).to_string();
    for shell in SHELLS.iter().filter(|s| require(s)) {
        let file = script(&home, shell);
        // 20 prompts (and hooks); `seq` would be a process of its own, so the loop is spelled out.
        // nushell: the hooks and the right prompt it runs at a prompt, called as it calls them.
        let call = match *shell {
            "nu" => {
                "for i in 1..20 { do --env ($env.config.hooks.pre_prompt | last); do --env ($env.config.hooks.env_change.PWD | last) $env.PWD $env.PWD; do $env.PROMPT_COMMAND_RIGHT | ignore; rolecall_prompt | ignore }"
            }
            "fish" => {
                "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; __rolecall_refresh; rolecall_prompt >/dev/null; __rolecall_right_prompt >/dev/null; end"
            }
            _ => {
                "for i in {1..20}; do __rolecall_refresh; rolecall_prompt >/dev/null; __rolecall_prompt_hook; __rolecall_hook; done"
            }
        };
        let processes = |call: &str| -> Vec<String> {
            let trace = home.path.join(format!("trace.{shell}"));
            let mut cmd = Command::new("strace");
            cmd.args(["-f", "-qq", "-e", "trace=fork,vfork,clone,clone3,execve", "-o"]).arg(&trace).arg(shell);
            match *shell {
                "zsh" => cmd.arg("-f"),
                "fish" => cmd.arg("--no-config"),
                "nu" => cmd.arg("--no-config-file"),
                _ => &mut cmd,
            };
            let out = cmd
                .arg("-c")
                .arg(format!("source '{}'; {call}", file.display()))
                .env("ROLECALL_PROFILE", "prod")
                .env("AWS_REGION", "eu-west-1")
                .env("ROLECALL_EXPIRES_AT", &exp)
                // Auto-refresh on, with credentials far from the margin: still no process.
                .env("ROLECALL_AUTO_REFRESH", "1")
                .env("AWS_PROFILE", "prod")
                .env("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEEXAMPLE")
                .output()
                .unwrap();
            assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
            let text = std::fs::read_to_string(&trace).unwrap();
            text.lines()
                .filter(|l| {
                    (l.contains("execve(") || l.contains("fork(") || l.contains("clone")) && !l.contains("CLONE_THREAD")
                })
                .filter(|l| !l.contains("exited") && !l.contains("resumed"))
                .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest).to_owned())
                .collect()
        };
        let got = processes(call);
        // nushell probes the terminal (`tput`) when it starts without one: what it starts with
        // no prompt at all is the baseline.
        let baseline = if *shell == "nu" { processes("") } else { vec![] };
        let own = if *shell == "nu" { baseline.len() } else { 1 };
        assert_eq!(
            got.len(),
            own,
            "{shell}: only the shell's own start, got:\n{}\nbaseline:\n{}",
            got.join("\n"),
            baseline.join("\n")
        );
    }
}

#[test]
fn prompt_command_for_tmux_and_frameworks() {
    let home = TempHome::new();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        // NO_COLOR="" counts as unset (no-color.org); the helper sets NO_COLOR=1 otherwise.
        let mut all = vec![("ROLECALL_NOW", "100000"), ("NO_COLOR", "")];
        all.extend_from_slice(env);
        let run = home.run_env(&[&["prompt"][..], args].concat(), &all);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let exp42 = (100_000 + 42 * 60 + 30).to_string();
    let exp5 = (100_000 + 5 * 60).to_string();
    assert_eq!(
        run(&[("ROLECALL_PROFILE", "prod"), ("AWS_REGION", "eu-west-1"), ("ROLECALL_EXPIRES_AT", &exp42)], &[]),
        "aws:prod eu-west-1 42m"
    );
    assert_eq!(
        run(&[("AWS_PROFILE", "dev"), ("ROLECALL_EXPIRES_AT", &exp5)], &["--color"]),
        "\x1b[33maws:dev 5m\x1b[0m"
    );
    assert_eq!(
        run(&[("AWS_PROFILE", "dev"), ("ROLECALL_EXPIRES_AT", "1")], &["--color"]),
        "\x1b[31maws:dev expired\x1b[0m"
    );
    assert_eq!(
        run(&[("AWS_PROFILE", "dev"), ("ROLECALL_EXPIRES_AT", "1"), ("NO_COLOR", "1")], &["--color"]),
        "aws:dev expired"
    );
    assert_eq!(run(&[], &[]), "");
    assert_eq!(
        run(&[("ROLECALL_PROFILE", "p")], &["--format", "#[fg=cyan]{profile}#[default] {left}"]),
        "#[fg=cyan]p#[default]"
    );
}

/// bash without EPOCHSECONDS (before 5.0; macOS's /bin/bash is 3.2): the clock is the time at load
/// (one `date`) plus SECONDS, and the prompts after it start no process.
#[test]
fn bash_without_epochseconds_keeps_time_without_a_process() {
    if !require("bash") || !require("strace") {
        return;
    }
    let home = TempHome::new();
    let file = script(&home, "bash");
    let exp = (now() + 42 * 60 + 30).to_string();
    let trace = home.path.join("trace.noepoch");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=fork,vfork,clone,clone3,execve", "-o"])
        .arg(&trace)
        .args(["bash", "-c"])
        .arg(format!(
            "unset EPOCHSECONDS; source '{}'; for i in {{1..20}}; do __rolecall_prompt_hook; __rolecall_hook; done; rolecall_prompt",
            file.display()
        ))
        .env("NO_COLOR", "1")
        .env("ROLECALL_PROFILE", "prod")
        .env("ROLECALL_EXPIRES_AT", &exp)
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "aws:prod 42m");
    let text = std::fs::read_to_string(&trace).unwrap();
    let execs: Vec<&str> = text.lines().filter(|l| l.contains("execve(") && !l.contains("resumed")).collect();
    assert_eq!(execs.len(), 2, "bash itself and one `date` at load:\n{}", execs.join("\n"));
    assert!(execs[1].contains("date"), "{}", execs[1]);
}

#[test]
fn auto_refresh_renews_at_the_prompt_without_asking() {
    let Some(moto) = common::moto::Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(
        "[profile base]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n[profile admin]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/Admin\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = eu-west-1\nduration_seconds = 900\n",
        "[base]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let mut shells = 0;
    for shell in SHELLS.iter().filter(|s| require(s)) {
        home.drive("refresh.py", shell, &[("AWS_ENDPOINT_URL_STS", &moto.url)]);
        shells += 1;
    }
    // Each shell: its assume (a new MFA session: the shell before removed it), then exactly one
    // renewal at the prompt, from the cached MFA session (none while keys set by hand are there),
    // and the assume after them (the role is within the margin again by then).
    assert_eq!(moto.count("GetSessionToken"), shells, "one MFA session per shell, none for a renewal");
    assert_eq!(moto.count("AssumeRole"), 3 * shells, "the assume, one renewal and one assume per shell");
}
