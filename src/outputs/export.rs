//! `rolecall export`'s formats, for tools that read credentials only from files or `.env`:
//! `env` (POSIX `export` lines, for `.` or `source` in any sh), `dotenv` (`NAME=value` lines,
//! unquoted, as docker `--env-file`, compose and the dotenv libraries all read them), `json` (the
//! credential_process shape plus the region) and `ini` (a credentials-file section).

use super::quote::{posix_quote, representable};
use crate::cli::ExportFormat;
use crate::files::FileKind;
use crate::files::edit::Editor;
use crate::types::Credentials;
use crate::util::time::format_rfc3339;
use anyhow::{Result, bail};

/// The variables of the credentials, in the order they are written.
fn variables(creds: &Credentials, region: Option<&str>) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", creds.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.clone()),
    ];
    if let Some(token) = &creds.session_token {
        vars.push(("AWS_SESSION_TOKEN", token.clone()));
    }
    if let Some(t) = creds.expires_at {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", crate::util::time::format_rfc3339(t)));
    }
    if let Some(region) = region {
        vars.push(("AWS_REGION", region.to_owned()));
        vars.push(("AWS_DEFAULT_REGION", region.to_owned()));
    }
    vars
}

/// `export NAME='value'` lines.
pub fn env(creds: &Credentials, region: Option<&str>) -> Result<String> {
    let mut out = String::new();
    for (name, value) in variables(creds, region) {
        representable(name, &value)?;
        out.push_str("export ");
        out.push_str(name);
        out.push('=');
        posix_quote(&mut out, &value);
        out.push('\n');
    }
    Ok(out)
}

/// `NAME=value` lines, unquoted: docker's `--env-file` keeps quotes as part of the value while
/// the dotenv libraries remove them, so the one form both read alike is none. What AWS issues
/// needs none (letters, digits and `+/=_.:,@-`); a value with anything else is refused.
pub fn dotenv(creds: &Credentials, region: Option<&str>) -> Result<String> {
    let mut out = String::new();
    for (name, value) in variables(creds, region) {
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=_.:,@-".contains(&b)) {
            bail!(
                "{name} holds a character that docker and the dotenv libraries read differently: nothing was printed"
            );
        }
        out.push_str(name);
        out.push('=');
        out.push_str(&value);
        out.push('\n');
    }
    Ok(out)
}

/// The credential_process JSON with `Region`.
pub fn json(creds: &Credentials, region: Option<&str>) -> String {
    let mut text = creds.to_process_json();
    if let (Some(region), Some(close)) = (region, text.rfind('}')) {
        let mut field = Vec::new();
        crate::util::json::push_str(&mut field, region);
        text.insert_str(close, &format!(",\"Region\":{}", String::from_utf8_lossy(&field)));
    }
    text.push('\n');
    text
}

/// A credentials-file section `[name]` with the keys, the region, and a comment line `note`.
pub fn ini(name: &str, creds: &Credentials, region: Option<&str>, note: &str) -> Result<String> {
    let mut editor = Editor::empty(FileKind::Credentials);
    editor.set(name, "aws_access_key_id", &creds.access_key_id)?;
    editor.set(name, "aws_secret_access_key", &creds.secret_access_key)?;
    if let Some(token) = &creds.session_token {
        editor.set(name, "aws_session_token", token)?;
    }
    if let Some(region) = region {
        editor.set(name, "region", region)?;
    }
    editor.set_note(name, note.split(' ').next().unwrap_or(note), note)?;
    Ok(editor.render())
}

/// `profile`'s credentials in `format`, as `rolecall export` prints them.
pub fn render(format: ExportFormat, profile: &str, creds: &Credentials, region: Option<&str>) -> Result<String> {
    match format {
        ExportFormat::Env => env(creds, region),
        ExportFormat::Dotenv => dotenv(creds, region),
        ExportFormat::Json => Ok(json(creds, region)),
        ExportFormat::Ini => {
            let note = match creds.expires_at {
                Some(t) => format!("rolecall export {profile}: until {}", format_rfc3339(t)),
                None => format!("rolecall export {profile}: long-term keys"),
            };
            ini(profile, creds, region, &note)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "se/cr+et=".into(),
            session_token: Some("tok'en".into()),
            expires_at: Some(1_800_000_000),
            account_id: None,
        }
    }

    #[test]
    fn formats() {
        let env = env(&creds(), Some("eu-west-1")).unwrap();
        assert!(env.starts_with("export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\nexport AWS_SECRET_ACCESS_KEY='se/cr+et='\n"));
        assert!(env.contains("export AWS_SESSION_TOKEN='tok'\\''en'\n"));
        assert!(env.contains("export AWS_CREDENTIAL_EXPIRATION='2027-01-15T08:00:00Z'\n"));
        assert!(env.ends_with("export AWS_DEFAULT_REGION='eu-west-1'\n"));
        let dot = dotenv(&Credentials { session_token: Some("tok/en+=".into()), ..creds() }, None).unwrap();
        assert_eq!(dot.lines().next(), Some("AWS_ACCESS_KEY_ID=ASIAEXAMPLE"));
        assert!(!dot.contains("REGION"));
        let bad = Credentials { session_token: Some("a\"b".into()), ..creds() };
        assert!(dotenv(&bad, None).is_err());
        let json: serde_json::Value = serde_json::from_str(&json(&creds(), Some("eu-west-1"))).unwrap();
        assert_eq!((json["Version"].as_i64(), json["Region"].as_str()), (Some(1), Some("eu-west-1")));
        let ini = ini("dev", &creds(), Some("eu-west-1"), "written by rolecall export dev").unwrap();
        assert_eq!(
            ini,
            "[dev]\n# written by rolecall export dev\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = se/cr+et=\naws_session_token = tok'en\nregion = eu-west-1\n"
        );
    }
}
