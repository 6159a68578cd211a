//! Where an MFA code comes from, in order: `--mfa-code`, the profile's `mfa_process`, then a
//! prompt on the terminal (`/dev/tty`, so stdout stays shell code even inside `$(...)`).

use anyhow::{Result, anyhow, bail};

/// How many codes a person may type before rolecall gives up.
pub const ATTEMPTS: u32 = 3;

#[derive(Clone, Debug)]
pub enum Source {
    Given(String),
    Process(String),
    /// A person, asked through what `cmd` handed down (none: there is nobody to ask).
    Terminal(Option<crate::types::Asker>),
    /// No code may be asked for (auto-refresh, the credential server): a step that needs one fails.
    Refuse,
}

impl Source {
    pub fn pick(given: Option<&str>, mfa_process: Option<&str>, ask: Option<&crate::types::Asker>) -> Source {
        match (given, mfa_process) {
            (Some(code), _) => Source::Given(normalise(code)),
            (None, Some(cmd)) => Source::Process(cmd.to_owned()),
            (None, None) => Source::Terminal(ask.cloned()),
        }
    }

    /// Whether a rejected code may be asked for again.
    pub fn can_retry(&self) -> bool {
        matches!(self, Source::Terminal(_))
    }

    /// A code for `serial`. `attempt` counts from 1; later attempts say the last code was wrong.
    pub fn code(&self, profile: &str, serial: &str, attempt: u32) -> Result<String> {
        let code = match self {
            Source::Given(code) => code.clone(),
            Source::Process(cmd) => run_process(cmd)?,
            Source::Terminal(ask) => return prompt(ask.as_ref(), profile, serial, attempt),
            Source::Refuse => bail!("a new MFA code for {serial} is needed, and nothing may ask for it here"),
        };
        if !valid(&code) {
            bail!("the MFA code for {serial} must be 6 digits");
        }
        Ok(code)
    }
}

/// A code as authenticator apps show it (`123 456`) is the same code.
fn normalise(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

fn valid(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// `mfa_process` runs like `credential_process`: through `sh -c`, stdout is the code.
fn run_process(cmd: &str) -> Result<String> {
    let out = crate::creds::process::output(cmd, "mfa_process")?;
    if !out.status.success() {
        bail!("mfa_process failed ({})", out.status);
    }
    let code = normalise(&String::from_utf8_lossy(&out.stdout));
    if !valid(&code) {
        bail!("mfa_process did not print a 6-digit code");
    }
    Ok(code)
}

/// Ask on the terminal. An empty line asks again without counting as a try; a code typed with
/// spaces is taken without them.
fn prompt(ask: Option<&crate::types::Asker>, profile: &str, serial: &str, attempt: u32) -> Result<String> {
    let person = crate::types::Asker::present(ask)
        .ok_or_else(|| anyhow!("MFA code needed for {serial}: pass --mfa-code or set mfa_process"))?;
    let profile = crate::util::text::printable(profile);
    let serial_shown = crate::util::text::printable(serial);
    let mut typed = 0;
    loop {
        let again = if attempt > 1 && typed == 0 { "rolecall: that code was not accepted. " } else { "" };
        let line = person.line(&format!("{again}MFA code for {profile} ({serial_shown}): "), false)?;
        let code = normalise(&line);
        if code.is_empty() {
            continue;
        }
        if valid(&code) {
            return Ok(code);
        }
        typed += 1;
        if typed >= ATTEMPTS {
            bail!("no valid MFA code for {serial} after {ATTEMPTS} tries");
        }
        person.say("rolecall: an MFA code is 6 digits\r\n")?;
    }
}
