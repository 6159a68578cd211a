//! `rolecall eks`: its subcommands' arguments.

use super::CredsArgs;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum EksAction {
    /// Print an ExecCredential whose token is a presigned STS GetCallerIdentity URL for the cluster
    /// (as `aws eks get-token` does), signed with the profile's credentials (cached) or, with no
    /// profile, the shell's AWS_* keys
    Token(EksTokenArgs),
    /// Add the cluster to the kubeconfig ($KUBECONFIG's first file, else ~/.kube/config) with
    /// `rolecall eks token` as its exec command, after DescribeCluster for the endpoint and CA;
    /// every other entry is kept, the old file saved as .bak
    Kubeconfig(EksKubeconfigArgs),
}

#[derive(Debug, Args)]
pub struct EksKubeconfigArgs {
    /// The cluster's name
    #[arg(long, value_name = "NAME")]
    pub cluster_name: String,
    /// The profile to call DescribeCluster with, pinned in the exec command (default: none
    /// pinned, the token follows the shell's profile; DescribeCluster with the shell's keys)
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// The context's name (default: the cluster's ARN)
    #[arg(long, value_name = "NAME")]
    pub alias: Option<String>,
    /// The token signs as this role (`eks token --role-arn` in the exec command)
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Print the entries that would be written, write nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub creds: CredsArgs,
}

#[derive(Debug, Args)]
pub struct EksTokenArgs {
    /// The cluster's name (signed into the token as x-k8s-aws-id)
    #[arg(long, value_name = "NAME")]
    pub cluster_name: String,
    /// The profile to sign with (default: the shell's AWS_* keys, else AWS_PROFILE, else default)
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Sign as this role, assumed with those credentials (cached, as any role)
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    #[command(flatten)]
    pub creds: CredsArgs,
}
