//! Child processes for the over-the-wire tests: a process killed when its handle drops, the
//! address a child bound for itself (each binds port 0, so parallel tests never race for a port),
//! a scratch directory removed on drop, and a `turbo localnet` node.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use solana_sdk::signature::{write_keypair_file, Keypair};

/// A child process killed on drop, its output in `log`.
pub struct Proc {
    pub child: Child,
    pub log: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    /// Start `cmd` with its stdout to `log` (its stderr as `cmd` sets it, inherited by default).
    pub fn spawn(mut cmd: Command, log: PathBuf) -> Proc {
        let child = cmd.stdout(std::fs::File::create(&log).unwrap()).spawn().expect("the child starts");
        Proc { child, log }
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait until the log has a line containing `marker`, and return what follows it up to the
    /// next space: the address the child bound for itself.
    pub fn bound_address(&self, marker: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.output().lines().find(|l| l.contains(marker)) {
                let rest = &line[line.find(marker).unwrap() + marker.len()..];
                return rest.split_whitespace().next().unwrap_or_default().to_string();
            }
            assert!(started.elapsed() < Duration::from_secs(120), "no {marker:?} in 2 minutes:\n{}", self.output());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A fresh directory, removed on drop.
pub struct Dir(pub PathBuf);

impl Dir {
    /// `name` under `base` (a test's `CARGO_TARGET_TMPDIR`), unique to this process and moment.
    pub fn new(base: &Path, name: &str) -> Dir {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let d = base.join(format!("{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `turbo localnet` node: its process, JSON-RPC URL, the deployer's keypair file, and a scratch
/// directory for wallets.
pub struct Node {
    pub proc: Proc,
    pub url: String,
    pub deployer: PathBuf,
    pub dir: Dir,
}

/// Start `turbo` (`bin`) `localnet` with `args` from the repository root `repo`, with a new
/// deployer, and wait until it answers `getHealth`.
pub fn start_node(bin: &Path, repo: &Path, tmp: &Path, name: &str, args: &[&str]) -> Node {
    let dir = Dir::new(tmp, name);
    let deployer = dir.0.join("deployer.json");
    write_keypair_file(&Keypair::new(), &deployer).unwrap();
    let mut cmd = Command::new(bin);
    cmd.args(["localnet", "--bind", "127.0.0.1:0", "--deployer", deployer.to_str().unwrap()]).args(args).current_dir(repo);
    let proc = Proc::spawn(cmd, dir.0.join("node.log"));
    let url = format!("http://{}", proc.bound_address("JSON-RPC on http://"));
    let started = Instant::now();
    while !healthy(&url) {
        assert!(started.elapsed() < Duration::from_secs(120), "the node did not answer getHealth in 2 minutes:\n{}", proc.output());
        std::thread::sleep(Duration::from_millis(200));
    }
    Node { proc, url, deployer, dir }
}

/// Whether a JSON-RPC node at `url` answers `getHealth` with "ok".
fn healthy(url: &str) -> bool {
    let client = solana_rpc_client::rpc_client::RpcClient::new(url.to_string());
    client.get_health().is_ok()
}
