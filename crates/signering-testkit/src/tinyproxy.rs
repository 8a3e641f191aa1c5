//! A real forward proxy for tests: Debian's `tinyproxy`, started on a free port of
//! 127.0.0.1 with its own configuration and log, stopped when dropped.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::have_tool;

/// What the proxy lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Every request, `CONNECT` to any port included.
    AllowAll,
    /// `CONNECT` only to port 443, so a tunnel to a test server's port is refused (HTTP 403).
    ConnectOnly443,
}

/// A running tinyproxy.
#[derive(Debug)]
pub struct Tinyproxy {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tinyproxy {
    /// Starts tinyproxy, or returns `None` after [`crate::skip_or_fail`] when it is not installed.
    ///
    /// # Panics
    ///
    /// When it is installed but does not start listening within 10 seconds.
    pub fn start(test: &str, policy: Policy) -> Option<Self> {
        if !have_tool(
            test,
            "tinyproxy",
            "-v",
            "tinyproxy is not installed (apt-get install tinyproxy)",
        ) {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let log = dir.path().join("tinyproxy.log");
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\n\
             LogLevel Info\nLogFile \"{}\"\n",
            log.display()
        );
        if policy == Policy::ConnectOnly443 {
            config.push_str("ConnectPort 443\n");
        }
        let config_path = dir.path().join("tinyproxy.conf");
        std::fs::write(&config_path, config).expect("write tinyproxy.conf");
        // -d: stay in the foreground, so the child is the proxy and can be stopped.
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tinyproxy");
        let proxy = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tinyproxy did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(proxy)
    }

    /// What tinyproxy logged so far (one line per event; `CONNECT` lines name the tunnels).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        drop(self.child.kill());
        drop(self.child.wait());
    }
}

/// A port nothing listens on right now (and, for a moment, nothing will).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}
