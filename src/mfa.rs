//! Where an MFA code comes from, in order: `--mfa-code`, the profile's `mfa_process`, then a
//! prompt on the terminal (`/dev/tty`, so stdout stays shell code even inside `$(...)`).

use anyhow::{Context, Result, anyhow, bail};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// How many codes a person may type before rolecall gives up.
pub const ATTEMPTS: u32 = 3;

#[derive(Clone, Debug)]
pub enum Source {
    Given(String),
    Process(String),
    Terminal,
}

impl Source {
    pub fn pick(given: Option<&str>, mfa_process: Option<&str>) -> Source {
        match (given, mfa_process) {
            (Some(code), _) => Source::Given(code.trim().to_owned()),
            (None, Some(cmd)) => Source::Process(cmd.to_owned()),
            (None, None) => Source::Terminal,
        }
    }

    /// Whether a rejected code may be asked for again.
    pub fn can_retry(&self) -> bool {
        matches!(self, Source::Terminal)
    }

    /// A code for `serial`. `attempt` counts from 1; later attempts say the last code was wrong.
    pub fn code(&self, profile: &str, serial: &str, attempt: u32) -> Result<String> {
        let code = match self {
            Source::Given(code) => code.clone(),
            Source::Process(cmd) => run_process(cmd)?,
            Source::Terminal => return prompt(profile, serial, attempt),
        };
        if !valid(&code) {
            bail!("the MFA code for {serial} must be 6 digits");
        }
        Ok(code)
    }
}

fn valid(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// `mfa_process` runs like `credential_process`: through `sh -c`, stdout is the code.
fn run_process(cmd: &str) -> Result<String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run mfa_process")?;
    if !out.status.success() {
        bail!("mfa_process failed ({})", out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let code = text.trim();
    if !valid(code) {
        bail!("mfa_process did not print a 6-digit code");
    }
    Ok(code.to_owned())
}

fn prompt(profile: &str, serial: &str, attempt: u32) -> Result<String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| anyhow!("MFA code needed for {serial}: pass --mfa-code or set mfa_process"))?;
    let mut out = &tty;
    let mut input = BufReader::new(&tty);
    let mut typed = 0;
    loop {
        if attempt > 1 && typed == 0 {
            write!(out, "rolecall: that code was not accepted. ")?;
        }
        write!(out, "MFA code for {profile} ({serial}): ")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(out)?;
            return Err(anyhow!(crate::Cancelled));
        }
        let code = line.trim();
        if valid(code) {
            return Ok(code.to_owned());
        }
        typed += 1;
        if typed >= ATTEMPTS {
            bail!("no valid MFA code for {serial} after {ATTEMPTS} tries");
        }
        writeln!(out, "rolecall: an MFA code is 6 digits")?;
    }
}
