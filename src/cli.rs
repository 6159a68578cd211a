//! The command line, declared only: no logic here (the same definition serves completions).

use crate::shellenv::Shell;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "rolecall", version, about = "Switch AWS profiles in the current shell", propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every profile: kind, region and the chain of source profiles
    List {
        /// Print profile names only, one per line (for completion and pickers)
        #[arg(long, conflicts_with = "json")]
        names: bool,
        /// Print a JSON array of profiles
        #[arg(long)]
        json: bool,
    },
    /// Find what is wrong in ~/.aws/config and ~/.aws/credentials
    Doctor {
        /// Print the findings as a JSON array
        #[arg(long)]
        json: bool,
    },
    /// Get temporary credentials for a profile and print shell code that exports them
    ///
    /// Meant to run through the `assume` shell function of `rolecall init`, which evaluates
    /// the output only when rolecall exits 0.
    Assume(AssumeArgs),
    /// Run a command with a profile's credentials in its environment
    Exec {
        profile: String,
        #[command(flatten)]
        creds: CredsArgs,
        /// The command and its arguments, after `--`
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// Print a profile's credentials as credential_process JSON (for `credential_process =`)
    CredentialProcess {
        profile: String,
        #[command(flatten)]
        creds: CredsArgs,
    },
    /// Show the account, ARN and user id of the current credentials or of a profile
    Whoami {
        profile: Option<String>,
        /// Print JSON like `aws sts get-caller-identity`
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        creds: CredsArgs,
    },
    /// Select a profile in this shell without calling STS (sets AWS_PROFILE, clears credentials)
    Asp {
        /// The profile, or `-` for the one before the last switch
        profile: Option<String>,
        /// The syntax to print
        #[arg(long, value_enum)]
        shell: Option<Shell>,
        /// Print code that clears every variable rolecall sets
        #[arg(short = 'u', long, conflicts_with = "profile")]
        unset: bool,
    },
    /// Print the shell integration: eval "$(rolecall init zsh)"
    Init {
        #[arg(value_enum)]
        shell: InitShell,
        /// Name of the function that assumes a profile
        #[arg(long, value_name = "NAME", default_value = "assume")]
        assume_cmd: String,
        /// Name of the function that selects a profile
        #[arg(long, value_name = "NAME", default_value = "asp")]
        asp_cmd: String,
        /// Also put the profile segment in the prompt (bash PS1, zsh RPROMPT, fish right prompt,
        /// PowerShell prompt), in front of what is there
        #[arg(long)]
        prompt: bool,
        /// Leave out the .awsprofile hook (per-directory profiles)
        #[arg(long)]
        no_dir: bool,
    },
    /// Apply a directory's .awsprofile from now on (its path and content are recorded)
    Allow {
        /// The .awsprofile, or its directory (default: the nearest from here up)
        #[arg(conflicts_with = "list")]
        path: Option<PathBuf>,
        /// List the allowed files and whether each is unchanged, changed or missing
        #[arg(long)]
        list: bool,
        /// With --list: print a JSON array
        #[arg(long, requires = "list")]
        json: bool,
    },
    /// Stop applying a directory's .awsprofile
    Deny {
        /// The .awsprofile, or its directory (default: the nearest from here up)
        path: Option<PathBuf>,
    },
    /// Show the .awsprofile that applies here: profile, region, whether it is allowed
    ///
    /// The shell hooks of `rolecall init` run it with --shell when the nearest file changed.
    Dir {
        /// The .awsprofile (default: the nearest from here up)
        file: Option<PathBuf>,
        /// Print shell code that applies the file (for the init scripts' hook)
        #[arg(long, value_enum)]
        shell: Option<Shell>,
        /// Print JSON
        #[arg(long, conflicts_with = "shell")]
        json: bool,
    },
    /// Print the prompt segment (profile, region, time left) for tmux or a prompt framework
    Prompt {
        /// With `{profile}`, `{region}` and `{left}`; empty words are dropped
        #[arg(long, default_value = "aws:{profile} {region} {left}")]
        format: String,
        /// ANSI colours: normal, warning (under ROLECALL_PROMPT_WARN minutes), expired
        #[arg(long)]
        color: bool,
    },
    /// Print a completion script for rolecall's own commands
    Completions {
        #[arg(value_enum)]
        shell: InitShell,
    },
}

#[derive(Debug, Args)]
pub struct AssumeArgs {
    /// The profile to assume, or `-` for the one before the last switch
    pub profile: Option<String>,
    /// The syntax to print: shell code, JSON, or VAR=value lines
    #[arg(long, value_enum)]
    pub shell: Option<Shell>,
    /// Print code that clears every variable rolecall sets
    #[arg(short = 'u', long, conflicts_with = "profile")]
    pub unset: bool,
    #[command(flatten)]
    pub creds: CredsArgs,
    /// Run this command with the credentials instead of printing them (like `rolecall exec`)
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// How credentials are fetched: shared by assume, exec, credential-process and whoami.
#[derive(Debug, Args, Clone, Default)]
pub struct CredsArgs {
    /// The MFA code (else mfa_process, else a prompt on the terminal)
    #[arg(long, value_name = "CODE")]
    pub mfa_code: Option<String>,
    /// Region to export and to call STS in (default: the profile's)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Lifetime of the credentials: 3600, 90m, 1h
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Lifetime of the MFA session (default 12h, or the profile's mfa_session_duration)
    #[arg(long, value_name = "DURATION")]
    pub mfa_duration: Option<String>,
    /// Fetch new credentials even if cached ones are still valid
    #[arg(long)]
    pub refresh: bool,
    /// Neither read nor write the cache
    #[arg(long)]
    pub no_cache: bool,
    /// Pass the MFA code to AssumeRole (as the AWS CLI does) instead of using an MFA session
    #[arg(long)]
    pub no_mfa_session: bool,
}

/// The shells with an init script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}
