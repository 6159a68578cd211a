//! The questions `configure` and `setup` ask on the terminal: each answer is asked again until it
//! is valid (nothing typed before it is lost), current values are shown (keys masked), Enter keeps.

use crate::files::ProfileSet;
use crate::files::validate::{Pairs, check_pair};
use crate::ui::tty::{Echo, Tty};
use anyhow::Result;

/// One question with a default, asked until `check` accepts the answer.
pub fn until_valid(tty: &Tty, question: &str, default: &str, check: &dyn Fn(&str) -> Result<()>) -> Result<String> {
    loop {
        let answer = tty.read_line(&format!("{question} [{default}]: "), Echo::Plain)?.trim().to_owned();
        let answer = if answer.is_empty() { default.to_owned() } else { answer };
        match check(&answer) {
            Ok(()) => return Ok(answer),
            Err(e) => tty.write(&format!("rolecall: {e:#}\r\n"))?,
        }
    }
}

/// The four questions of `aws configure`, with `profile`'s current values in `set`; the secret
/// is asked again while a new key id has none.
pub fn basics(tty: &Tty, set: &ProfileSet, profile: &str) -> Result<Pairs> {
    let current = set.profile(profile);
    let get = |key: &str| current.and_then(|p| p.get(key)).map(str::to_owned);
    let mut pairs: Pairs = Vec::new();
    let questions: [(&'static str, &str, Echo); 4] = [
        ("aws_access_key_id", "AWS Access Key ID", Echo::Plain),
        ("aws_secret_access_key", "AWS Secret Access Key", Echo::Hidden),
        ("region", "Default region name", Echo::Plain),
        ("output", "Default output format", Echo::Plain),
    ];
    for (key, label, echo) in questions {
        let shown = match get(key) {
            Some(v) if key.starts_with("aws_") => crate::util::text::mask(&v),
            Some(v) => crate::util::text::printable(&v),
            None => "None".to_owned(),
        };
        // A new key id needs its secret: Enter does not keep "none" then.
        let required = key == "aws_secret_access_key"
            && get(key).is_none()
            && pairs.iter().any(|(k, _)| *k == "aws_access_key_id");
        loop {
            let answer = tty.read_line(&format!("{label} [{shown}]: "), echo)?.trim().to_owned();
            if answer.is_empty() {
                if required {
                    tty.write("rolecall: the new access key id needs its secret access key\r\n")?;
                    continue;
                }
                break;
            }
            match check_pair(key, &answer) {
                Ok(()) => {
                    if key == "region"
                        && let Some(w) = crate::aws::endpoint::region_warning(&answer)
                    {
                        tty.write(&format!("rolecall: warning: {w}\r\n"))?;
                    }
                    pairs.push((key, answer));
                    break;
                }
                Err(e) => tty.write(&format!("rolecall: {e:#}\r\n"))?,
            }
        }
    }
    Ok(pairs)
}
