//! The command line, declared only: one `Args` struct per subcommand, no logic here (the same
//! definition serves completions).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod eks;
pub use eks::{EksAction, EksKubeconfigArgs, EksTokenArgs};

/// A one-line hint for a usage error clap's own message would leave a person guessing at: a
/// command given to `exec` or `assume` without the `--` in front of it.
pub fn usage_hint(err: &clap::Error, args: &[String]) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let sub = args.get(1).map(String::as_str)?;
    if !matches!(sub, "exec" | "assume") || err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(unexpected)) = err.get(ContextKind::InvalidArg) else { return None };
    if unexpected.starts_with('-') {
        return None;
    }
    let at = args.iter().skip(2).position(|a| a == unexpected)? + 2;
    let quote = |words: &[String]| words.iter().map(|w| crate::util::text::printable(w)).collect::<Vec<_>>().join(" ");
    Some(format!(
        "`{}` is not an argument of `rolecall {sub}`: put `--` before the command, as in `rolecall {} -- {}`",
        crate::util::text::printable(unexpected),
        quote(&args[1..at]),
        quote(&args[at..])
    ))
}

#[derive(Debug, Parser)]
#[command(name = "rolecall", version, about = "Switch AWS profiles in the current shell", propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Each subcommand's arguments are defined only when it runs (`defer`): a start builds one
/// subcommand's arguments, not all of them (about a fifth of `init`'s instructions).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// List every profile: kind, region and the chain of source profiles
    List(ListArgs),
    /// Find what is wrong in ~/.aws/config and ~/.aws/credentials
    Doctor(DoctorArgs),
    /// Get temporary credentials for a profile and print shell code that exports them
    ///
    /// Meant to run through the `assume` shell function of `rolecall init`, which evaluates
    /// the output only when rolecall exits 0.
    Assume(AssumeArgs),
    /// Sign in to the AWS console as a profile and open it in a browser (also `assume -c`)
    ///
    /// Without PROFILE: the credentials this shell holds (what `assume` exported), then
    /// AWS_PROFILE, then the picker. Roles and SSO roles sign in with their credentials, an IAM
    /// user's keys through GetFederationToken. The sign-in URL is a secret: the browser is given
    /// a private file that redirects to it, never the URL.
    Console(ConsoleArgs),
    /// Run a command with a profile's credentials in its environment
    Exec(ExecArgs),
    /// Print a profile's credentials as credential_process JSON (for `credential_process =`)
    CredentialProcess(CredentialProcessArgs),
    /// Print a profile's temporary credentials for tools that read files (env, dotenv, json,
    /// ini), or write them into ~/.aws/credentials as another profile (--to-profile)
    Export(ExportArgs),
    /// Show the account, ARN and user id of the current credentials or of a profile
    Whoami(WhoamiArgs),
    /// Select a profile in this shell without calling STS (sets AWS_PROFILE, clears credentials)
    Asp(AspArgs),
    /// Print the shell integration: eval "$(rolecall init zsh)"
    Init(InitArgs),
    /// Apply a directory's .awsprofile from now on (its path and content are recorded)
    Allow(AllowArgs),
    /// Stop applying a directory's .awsprofile
    Deny(DenyArgs),
    /// Show the .awsprofile that applies here: profile, region, whether it is allowed
    ///
    /// The shell hooks of `rolecall init` run it with --shell when the nearest file changed.
    Dir(DirArgs),
    /// Print the prompt segment (profile, region, time left) for tmux or a prompt framework
    Prompt(PromptArgs),
    /// Write a profile's keys, region and output (like `aws configure --profile`), or a role
    ///
    /// Every edit changes only the lines it is about (comments, order, spacing, line endings are
    /// kept), is checked by reading the result back, and replaces the file atomically, keeping
    /// the previous version as `<file>.bak`.
    Configure(ConfigureArgs),
    /// Sign in: IAM Identity Center (SSO), or console credentials (`aws login`) for a
    /// login_session profile; what it gets is shared with the aws CLI and the SDKs
    Login(LoginArgs),
    /// Sign out of a login_session profile's console session (its cached credentials are deleted)
    Logout(LogoutArgs),
    /// IAM Identity Center helpers
    #[command(subcommand)]
    Sso(SsoAction),
    /// Amazon EKS: the token kubectl's exec plugin asks for, from the profile or the shell's keys
    #[command(subcommand)]
    Eks(EksAction),
    /// First use: create ~/.aws and a first profile (and a role with MFA), then check them
    Setup,
    /// Edit the config or credentials file in $VISUAL/$EDITOR, checked before it is written
    Edit(EditArgs),
    /// Rename a profile in both files, and every source_profile that names it
    Rename(RenameArgs),
    /// Remove a profile from both files
    Rm(RmArgs),
    /// Replace a profile's access key: create a new one in IAM, write it, check it, delete the old
    Rotate(RotateArgs),
    /// Keep IAM users' long-term keys in the OS keyring (or an encrypted file), not in plain text
    ///
    /// A vaulted profile keeps working: rolecall reads its keys from the vault, and other tools
    /// get them through `credential_process = rolecall credential-process PROFILE`. The backend is
    /// `vault_backend` in ~/.config/rolecall/config (secret-service, keychain, wincred, file), else
    /// the OS keyring when one answers, else the encrypted file.
    #[command(subcommand)]
    Vault(VaultAction),
    /// Print a completion script for rolecall's own commands
    Completions(CompletionsArgs),
    /// The long flags of a subcommand, one per line (what the init scripts complete after `-`)
    #[command(hide = true, name = "__flags")]
    Flags(FlagsArgs),
}

#[derive(Debug, Args)]
pub struct FlagsArgs {
    /// The subcommand (`assume`, `exec`, …)
    pub subcommand: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print profile names only, one per line (for completion and pickers)
    #[arg(long, conflicts_with = "json")]
    pub names: bool,
    /// Print a JSON array of profiles
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the findings as a JSON array
    #[arg(long)]
    pub json: bool,
    /// Also ask AWS about every profile with long-term keys: root user keys, keys AWS no
    /// longer accepts, keys of another account than the profile says, keys over 90 days old
    #[arg(long)]
    pub online: bool,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The profile (default: this shell's credentials, then AWS_PROFILE, then the picker)
    pub profile: Option<String>,
    #[command(flatten)]
    pub console: ConsoleOpts,
    #[command(flatten)]
    pub creds: CredsArgs,
}

// The console's own flags, for `console` and `assume -c`. (A plain comment: see CredsArgs.)
#[derive(Debug, Args, Clone, Default)]
pub struct ConsoleOpts {
    /// Open this service's page: s3, ec2, lambda, iam, cloudformation, logs, … (default: home)
    #[arg(short = 's', long, value_name = "NAME", conflicts_with = "destination")]
    pub service: Option<String>,
    /// Open this console URL (of the same partition) after signing in
    #[arg(long, value_name = "URL")]
    pub destination: Option<String>,
    /// Print the sign-in URL on stdout (a secret: a console session) and open nothing
    #[arg(long, conflicts_with = "copy")]
    pub url: bool,
    /// Put the sign-in URL on this terminal's clipboard (OSC 52, works over SSH); open nothing
    #[arg(long)]
    pub copy: bool,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    pub profile: String,
    /// Serve the credentials to CMD from a local server (the container-credentials protocol the
    /// SDKs and the aws CLI read), renewed before they expire, instead of putting them in its
    /// environment
    #[arg(long)]
    pub server: bool,
    #[command(flatten)]
    pub creds: CredsArgs,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub profile: String,
    /// What to print: `export` lines, a .env file, credential_process JSON with the region, or
    /// a credentials-file section
    #[arg(long, value_enum, default_value = "env", conflicts_with = "to_profile")]
    pub format: ExportFormat,
    /// Write them into ~/.aws/credentials as profile NAME (with aws_session_token and a comment
    /// saying when they expire), through the lossless editor
    #[arg(long, value_name = "NAME")]
    pub to_profile: Option<String>,
    /// With --to-profile: replace a section that holds long-term keys
    #[arg(long, requires = "to_profile")]
    pub force: bool,
    #[command(flatten)]
    pub creds: CredsArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    Env,
    Dotenv,
    Json,
    Ini,
}

#[derive(Debug, Args)]
pub struct CredentialProcessArgs {
    pub profile: String,
    #[command(flatten)]
    pub creds: CredsArgs,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    pub profile: Option<String>,
    /// Print JSON like `aws sts get-caller-identity`
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub creds: CredsArgs,
}

#[derive(Debug, Args)]
pub struct AspArgs {
    /// The profile, or `-` for the one before the last switch
    pub profile: Option<String>,
    /// The syntax to print
    #[arg(long, value_enum)]
    pub shell: Option<ShellArg>,
    /// Print code that clears every variable rolecall sets
    #[arg(short = 'u', long, conflicts_with = "profile")]
    pub unset: bool,
}

/// `init` alone, parsed without the rest of the command line's definition: every new shell runs
/// it (the full definition, built for nothing, cost a fifth of its instructions). Anything it does
/// not take (`--help`, an error) goes to the full parser, which says it as usual.
#[derive(Debug, Parser)]
#[command(name = "init", no_binary_name = true, disable_help_flag = true, disable_version_flag = true)]
pub struct InitOnly {
    #[command(flatten)]
    pub args: InitArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[arg(value_enum)]
    pub shell: InitShell,
    /// Name of the function that assumes a profile
    #[arg(long, value_name = "NAME", default_value = "assume")]
    pub assume_cmd: String,
    /// Name of the function that selects a profile
    #[arg(long, value_name = "NAME", default_value = "asp")]
    pub asp_cmd: String,
    /// Also put the profile segment in the prompt (bash PS1, zsh RPROMPT, fish right prompt,
    /// PowerShell prompt), in front of what is there
    #[arg(long)]
    pub prompt: bool,
    /// Leave out the .awsprofile hook (per-directory profiles)
    #[arg(long)]
    pub no_dir: bool,
    /// Print one piece of the script that loads later (the scripts ask for it themselves)
    #[arg(long, hide = true, value_name = "NAME")]
    pub part: Option<String>,
}

#[derive(Debug, Args)]
pub struct AllowArgs {
    /// The .awsprofile, or its directory (default: the nearest from here up)
    #[arg(conflicts_with = "list")]
    pub path: Option<PathBuf>,
    /// List the allowed files and whether each is unchanged, changed or missing
    #[arg(long)]
    pub list: bool,
    /// With --list: print a JSON array
    #[arg(long, requires = "list")]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DenyArgs {
    /// The .awsprofile, or its directory (default: the nearest from here up)
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DirArgs {
    /// The .awsprofile (default: the nearest from here up; with --shell, empty: none here)
    pub file: Option<std::ffi::OsString>,
    /// Print shell code that applies the file (for the init scripts' hook)
    #[arg(long, value_enum)]
    pub shell: Option<InitShell>,
    /// Print JSON
    #[arg(long, conflicts_with = "shell")]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PromptArgs {
    /// With `{profile}`, `{region}` and `{left}`; empty words are dropped
    #[arg(long, default_value = "aws:{profile} {region} {left}")]
    pub format: String,
    /// ANSI colours: normal, warning (under ROLECALL_PROMPT_WARN minutes), expired
    #[arg(long)]
    pub color: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// A profile that uses SSO or login_session (default: AWS_PROFILE, else default)
    #[arg(conflicts_with = "sso_session")]
    pub profile: Option<String>,
    /// Sign in to this [sso-session] instead
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// Print the URL (and code) only; do not open a browser (SSO: the device flow)
    #[arg(long)]
    pub no_browser: bool,
    /// SSO: sign in with a device code instead of the browser's authorization code with PKCE
    #[arg(long, conflicts_with = "console")]
    pub use_device_code: bool,
    /// Sign in with console credentials (`aws login`): creates or updates PROFILE's login_session
    #[arg(long, conflicts_with = "sso_session")]
    pub console: bool,
    /// Console sign-in on another device (SSH): open the printed URL anywhere, paste the code
    #[arg(long)]
    pub remote: bool,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// A login_session profile (default: AWS_PROFILE, else default)
    pub profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    #[arg(value_enum, default_value = "config")]
    pub file: EditFile,
    /// Write the file even if the doctor finds errors in it
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    pub profile: String,
    /// Remove it even while other profiles use it as their source_profile
    #[arg(long)]
    pub force: bool,
    /// Do not ask
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: InitShell,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    pub old: String,
    pub new: String,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    pub profile: String,
}

#[derive(Debug, Args)]
pub struct AssumeArgs {
    /// The profile to assume, or `-` for the one before the last switch
    pub profile: Option<String>,
    /// The syntax to print: shell code, JSON, or VAR=value lines
    #[arg(long, value_enum)]
    pub shell: Option<ShellArg>,
    /// Print code that clears every variable rolecall sets
    #[arg(short = 'u', long, conflicts_with = "profile")]
    pub unset: bool,
    /// Open the AWS console for the profile instead (like `rolecall console`); the shell is left as it is
    #[arg(short = 'c', long, conflicts_with_all = ["unset", "shell"])]
    pub console: bool,
    #[command(flatten)]
    pub console_opts: ConsoleOpts,
    /// With `-- CMD`: serve the credentials to CMD from a local server, renewed (like `exec --server`)
    #[arg(long)]
    pub server: bool,
    /// Say nothing on success (also ROLECALL_QUIET=1, or `quiet = true` in rolecall's config)
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub creds: CredsArgs,
    /// Run this command with the credentials instead of printing them (like `rolecall exec`)
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ConfigureArgs {
    #[command(subcommand)]
    pub action: Option<ConfigureAction>,
    /// The profile (default: `default`); without other flags, asks for each value on the terminal
    pub profile: Option<String>,
    /// The access key id (to the credentials file)
    #[arg(long, value_name = "ID")]
    pub access_key_id: Option<String>,
    /// Read the secret access key from standard input (to the credentials file)
    #[arg(long)]
    pub secret_access_key_stdin: bool,
    /// The default region (to the config file)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The default output format: json, text, table, yaml, yaml-stream (to the config file)
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigureAction {
    /// Write a role profile: `[profile NAME]` with source_profile, role_arn and the rest
    Role(RoleArgs),
    /// Set any key of a profile, in the file the SDKs read it from (`-` reads the value from stdin)
    Set { profile: String, key: String, value: String },
    /// Remove a key from a profile, in both files
    Unset { profile: String, key: String },
}

#[derive(Debug, Args)]
pub struct RoleArgs {
    pub name: String,
    #[arg(long, value_name = "PROFILE")]
    pub source_profile: String,
    #[arg(long, value_name = "ARN")]
    pub role_arn: String,
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// 900 to 43200
    #[arg(long, value_name = "SECONDS")]
    pub duration_seconds: Option<u32>,
    #[arg(long, value_name = "NAME")]
    pub role_session_name: Option<String>,
}

// How credentials are fetched: shared by assume, exec, credential-process and whoami. (A plain
// comment: a doc comment here would replace each command's own first line in its --help.)
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
    /// Never ask for an MFA code: fail when a new one is needed (mfa_process still answers)
    #[arg(long)]
    pub no_prompt: bool,
}

#[derive(Debug, Subcommand)]
pub enum SsoAction {
    /// Write one profile per account and role the SSO login reaches (existing ones skipped)
    Populate {
        /// The [sso-session] (default: the only one)
        #[arg(long, value_name = "NAME")]
        sso_session: Option<String>,
        /// Put this in front of every new profile's name
        #[arg(long, value_name = "TEXT", default_value = "")]
        prefix: String,
        /// Print the lines that would be added, write nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum VaultAction {
    /// Move profiles' long-term keys from the credentials file into the vault (default: every
    /// profile with keys); the keys are written and read back before any line is removed
    Import { profiles: Vec<String> },
    /// Put a profile's keys in the vault: asked on the terminal (the secret not echoed), or two
    /// lines on stdin (access key id, then secret access key)
    Add { profile: String },
    /// The vaulted profiles: backend and access key id (masked); never a secret
    List {
        /// One JSON object per profile, in an array
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile's keys from the vault (and its credential_process line)
    Rm {
        profile: String,
        /// Do not ask
        #[arg(short, long)]
        yes: bool,
    },
    /// Put a profile's keys back into the credentials file, after a confirmation, and remove
    /// them from the vault
    Export {
        profile: String,
        /// Do not ask
        #[arg(short, long)]
        yes: bool,
    },
}

/// The file `rolecall edit` opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EditFile {
    Config,
    Credentials,
}

/// What `--shell` prints: code for a shell, JSON, or `VAR=value` lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
    /// nushell: JSON lines its init script applies with load-env
    Nu,
    Json,
    Env,
}

/// The shells with an init script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Nu,
}
