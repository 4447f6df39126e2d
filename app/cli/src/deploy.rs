//! `turbo deploy <manifest>`: the SDK's deployer (`turbo_sdk::deploy`) on the CLI's chain.

use solana_sdk::signature::Keypair;
use turbo_sdk::chain::Chain;
use turbo_sdk::deploy::{DeployError, Deployer};
use turbo_sdk::manifest::{Env, Manifest};

use crate::commands::{Cli, CliError, CliResult};

impl From<DeployError> for CliError {
    fn from(e: DeployError) -> Self {
        match e {
            DeployError::Program(f) => CliError::Program(f),
            DeployError::Chain(c) => CliError::Chain(c),
            DeployError::Manifest(m) => CliError::Input(m),
        }
    }
}

impl<C: Chain> Cli<C> {
    /// Make the chain match `m`; a second run changes nothing and says so.
    pub async fn deploy(&mut self, admin: &Keypair, m: &Manifest, env: &Env) -> CliResult {
        let mut d = Deployer { chain: &mut self.chain, feeds: &mut self.feeds, dry_run: self.dry_run, table: None };
        Ok(d.deploy(admin, m, env).await?)
    }
}
