//! The checks behind `rolecall doctor`: everything that makes a profile fail, or makes the SDKs
//! silently read something other than what the file seems to say.

use crate::files::Key;
use crate::files::{AwsFiles, Origin};
use crate::util::json::{Object, ToJson};
use std::collections::HashSet;

mod files;
mod profiles;
mod secrets;

use files::{check_duplicates, check_files, check_ignored};
use profiles::{check_process_loops, check_profile, check_shared_keys};
use secrets::{check_plaintext_keys, mask_secrets};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    /// The file as shown to the user (`~/.aws/config`).
    pub file: String,
    /// 1-based; 0 when the finding is about the whole file.
    pub line: usize,
    pub profile: Option<String>,
    pub message: String,
    pub hint: String,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl ToJson for &Finding {
    fn push_json(&self, out: &mut Vec<u8>) {
        Object::start(out)
            .str("severity", self.severity.as_str())
            .str("code", self.code)
            .str("file", &self.file)
            .num("line", self.line as u64)
            .opt_str("profile", self.profile.as_deref())
            .str("message", &self.message)
            .str("hint", &self.hint)
            .end();
    }
}

pub(crate) struct Report<'a> {
    files: &'a AwsFiles,
    findings: Vec<Finding>,
    seen: HashSet<(&'static str, Option<String>, String, usize)>,
    /// Profiles that another profile names as its source_profile.
    sources: HashSet<&'a str>,
}

impl Report<'_> {
    pub(crate) fn add(
        &mut self,
        severity: Severity,
        code: &'static str,
        at: Origin,
        profile: Option<&str>,
        message: String,
        hint: &str,
    ) {
        let file = self.files.file(at.file).display.clone();
        if !self.seen.insert((code, profile.map(str::to_owned), file.clone(), at.line)) {
            return;
        }
        self.findings.push(Finding {
            severity,
            code,
            file,
            line: at.line,
            profile: profile.map(str::to_owned),
            message,
            hint: hint.to_owned(),
        });
    }
}

/// Run every check. Findings come errors first, then by file and line.
pub fn check(files: &AwsFiles) -> Vec<Finding> {
    let sources =
        files.profiles.profiles().filter_map(|p| p.get(Key::SourceProfile).filter(|s| *s != p.name())).collect();
    let mut report = Report { files, findings: Vec::new(), seen: HashSet::new(), sources };
    check_files(&mut report);
    let set = &files.profiles;
    check_ignored(&mut report);
    check_duplicates(&mut report);
    for profile in set.profiles() {
        check_profile(&mut report, profile);
    }
    check_shared_keys(&mut report);
    check_process_loops(&mut report);
    check_plaintext_keys(&mut report);
    let mut findings = report.findings;
    mask_secrets(files, &mut findings);
    sort(&mut findings);
    findings
}

/// Errors first, then by file and line.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (a.severity, &a.file, a.line, a.code).cmp(&(b.severity, &b.file, b.line, b.code)));
}
