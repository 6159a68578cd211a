//! The command line, declared only: no logic here (the same definition serves completions).

use clap::{Parser, Subcommand};

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
}
