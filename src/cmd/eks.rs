//! `rolecall eks token --cluster-name NAME [--profile P]`: the ExecCredential kubectl's exec plugin
//! reads, its token signed with the profile's credentials (the cache first, as `assume` fetches
//! them) or, with no profile, the shell's `AWS_*` keys, so `assume prod; kubectl get pods` acts as
//! prod. No network when the credentials are cached. And `eks kubeconfig`: the cluster's entry in
//! the kubeconfig with that command as its exec plugin.

use crate::cli::{CredsArgs, EksKubeconfigArgs, EksTokenArgs};
use crate::config::Config;
use crate::files::AwsFiles;
use crate::types::Credentials;
use anyhow::Result;
use std::process::ExitCode;

/// The token lasts 14 minutes (the aws CLI's), or less when the credentials end sooner.
const TOKEN_SECS: i64 = 14 * 60;

/// What both commands sign with: the credentials, the files and the profile they are from (the
/// profile named, else the shell's keys, else AWS_PROFILE's or default's, as `assume` gets them:
/// the cache first), the region in the SDKs' order, and the time.
struct Signer {
    creds: Credentials,
    files: AwsFiles,
    profile: Option<String>,
    region: String,
    now: i64,
}

impl Signer {
    fn new(cfg: &Config, named: &Option<String>, args: &CredsArgs) -> Result<Signer> {
        let (creds, files, profile) = match (named, Credentials::from_env(cfg)) {
            (None, Some(keys)) => (keys, AwsFiles::load(cfg), None),
            (named, _) => {
                let profile = named.clone().unwrap_or_else(|| super::profile_or_default(cfg));
                let files = super::load_for_credentials(cfg)?;
                let creds = super::fetch(cfg, &files, &profile, args)?.creds;
                (creds, files, Some(profile))
            }
        };
        let mut signer = Signer { creds, files, profile, region: String::new(), now: cfg.now() };
        signer.region = crate::creds::settings::sdk_region(cfg, signer.section(), args.region.as_deref());
        Ok(signer)
    }

    /// The profile's section, when the credentials are a profile's.
    fn section(&self) -> Option<crate::files::Section<'_>> {
        self.profile.as_deref().and_then(|p| self.files.profiles.profile(p))
    }

    /// The time to sign at.
    fn at(&self) -> std::time::SystemTime {
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.now.max(0) as u64)
    }
}

pub fn token(cfg: &Config, args: EksTokenArgs) -> Result<ExitCode> {
    let s = Signer::new(cfg, &args.profile, &args.creds)?;
    let (set, section, region) = (&s.files.profiles, s.section(), s.region.as_str());
    let assumed;
    let creds = match &args.role_arn {
        Some(role) => {
            assumed = crate::creds::role_arn::assume(cfg, set, section, &s.creds, role, Some(region))?;
            &assumed
        }
        None => &s.creds,
    };
    let sts =
        crate::creds::settings::endpoint_url(cfg, set, section).unwrap_or_else(|| crate::aws::eks::sts_url(region));
    let url = crate::aws::eks::presigned_url(creds, &args.cluster_name, &sts, region, s.at())?;
    let expires = creds.expires_at.map_or(s.now + TOKEN_SECS, |t| t.min(s.now + TOKEN_SECS));
    let version = crate::outputs::exec_credential::api_version(cfg.var("KUBERNETES_EXEC_INFO").as_deref());
    let text = crate::outputs::exec_credential::json(
        version,
        &crate::aws::eks::token(&url),
        &crate::util::time::format_rfc3339(expires),
    );
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

pub fn kubeconfig(cfg: &Config, args: EksKubeconfigArgs) -> Result<ExitCode> {
    use crate::files::kubeconfig;
    let s = Signer::new(cfg, &args.profile, &args.creds)?;
    let service = crate::aws::endpoint::Service::Eks;
    let endpoint = crate::creds::settings::service_endpoint(cfg, &s.files.profiles, s.section(), service, &s.region)?;
    let http = crate::aws::http::Http::new(None, cfg.timeout());
    let describe = crate::aws::eks::describe_cluster(&http, &endpoint, &s.creds, &args.cluster_name, s.at());
    let cluster = crate::util::runtime()?.block_on(describe)?;
    let region = s.region.as_str();
    let mut exec = vec!["eks", "token", "--cluster-name", &args.cluster_name, "--region", region];
    exec.extend(args.profile.iter().flat_map(|p| ["--profile", p.as_str()]));
    exec.extend(args.role_arn.iter().flat_map(|r| ["--role-arn", r.as_str()]));
    let entry = kubeconfig::Entry {
        context: args.alias.clone().unwrap_or_else(|| cluster.arn.clone()),
        cluster_arn: cluster.arn,
        server: cluster.endpoint,
        ca: cluster.ca,
        command: own_command(cfg),
        args: exec.into_iter().map(str::to_owned).collect(),
    };
    let path = kubeconfig::path(cfg)?;
    if args.dry_run {
        super::write_stdout(|out| out.write_all(entry.yaml().as_bytes()))?;
        eprintln!("rolecall: dry run: {} was not changed", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let waiting = |_: &str| {
        crate::ui::notice(crate::types::Notice::Waiting("waiting for another rolecall writing the kubeconfig".into()))
    };
    let done = kubeconfig::update(cfg, &path, &entry, &waiting)?;
    let verb = if done.replaced { "updated" } else { "added" };
    eprintln!("rolecall: {verb} context {} in {}", crate::util::text::printable(&entry.context), done.path.display());
    Ok(ExitCode::SUCCESS)
}

/// How the kubeconfig names rolecall: `rolecall` when that is this binary on PATH, else this
/// binary's full path (kubectl runs the command without a shell).
fn own_command(cfg: &Config) -> String {
    let exe = std::env::current_exe().and_then(std::fs::canonicalize).ok();
    let on_path = cfg.var("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("rolecall"))
            .find(|p| p.is_file())
            .and_then(|p| std::fs::canonicalize(p).ok())
    });
    match exe {
        Some(exe) if on_path.as_ref() != Some(&exe) => exe.to_string_lossy().into_owned(),
        _ => "rolecall".to_owned(),
    }
}
