//! A local registry (Debian's `docker-registry`) on loopback, optionally with htpasswd auth.
//! Loopback registries are trusted over plain HTTP by the daemon by default.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{apt_install, free_port, have, missing};

pub struct Registry {
    pub address: String,
    pub user: Option<(String, String)>,
    /// With TLS: the self-signed certificate (its own CA).
    pub ca: Option<PathBuf>,
    trusted: std::sync::Mutex<Option<PathBuf>>,
    dir: tempfile::TempDir,
    child: Child,
}

impl Registry {
    /// Starts a registry; with `auth`, users must log in with that user and password.
    pub fn start(auth: Option<(&str, &str)>) -> Option<Self> {
        Self::start_with(auth, None)
    }

    /// A registry over TLS with a self-signed certificate for `ip`, listening on it. Use an
    /// address outside 127.0.0.0/8: the daemon skips TLS checks for loopback registries.
    pub fn start_tls(auth: Option<(&str, &str)>, ip: &str) -> Option<Self> {
        Self::start_with(auth, Some(ip))
    }

    /// The first non-loopback IPv4 address of this machine, for a registry the daemon must
    /// check TLS for.
    pub fn non_loopback_ip() -> Option<String> {
        let out = Command::new("ip")
            .args(["-4", "-o", "addr", "show", "scope", "global"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().nth(3))
            .filter_map(|a| a.split('/').next())
            .map(str::to_owned)
            .next()
    }

    /// Makes the engine trust this registry's certificate (`/etc/docker/certs.d/<host:port>/`),
    /// until the registry is dropped.
    pub fn trust(&self) {
        let ca = self.ca.as_ref().expect("a TLS registry");
        let dir = PathBuf::from("/etc/docker/certs.d").join(&self.address);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(ca, dir.join("ca.crt")).unwrap();
        *self.trusted.lock().unwrap() = Some(dir);
    }

    fn start_with(auth: Option<(&str, &str)>, tls_ip: Option<&str>) -> Option<Self> {
        if !have("docker-registry") && !apt_install(&["docker-registry"]) {
            return missing("docker-registry is not installed (apt-get install docker-registry)");
        }
        let dir = tempfile::Builder::new()
            .prefix("dw-registry")
            .tempdir()
            .unwrap();
        let port = free_port();
        let address = format!("{}:{port}", tls_ip.unwrap_or("127.0.0.1"));
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {address}\n",
            dir.path().join("data").display()
        );
        if let Some((user, pass)) = auth {
            let hash = bcrypt::hash(pass, 4).unwrap();
            let htpasswd: PathBuf = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{user}:{hash}\n")).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: dockwright-test\n    path: {}\n",
                htpasswd.display()
            ));
        }
        let mut ca = None;
        if let Some(ip) = tls_ip {
            let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
            let ok = Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                ])
                .args(["-subj", "/CN=dockwright-test-registry"])
                .arg("-addext")
                .arg(format!("subjectAltName=IP:{ip}"))
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !ok {
                return missing("openssl could not make a test certificate");
            }
            let addr_line = format!("  addr: {address}\n");
            config = config.replacen(
                &addr_line,
                &format!(
                    "{addr_line}  tls:\n    certificate: {}\n    key: {}\n",
                    cert.display(),
                    key.display()
                ),
                1,
            );
            ca = Some(cert);
        }
        let cfg_path = dir.path().join("config.yml");
        std::fs::write(&cfg_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let r = Self {
            address,
            user: auth.map(|(u, p)| (u.to_owned(), p.to_owned())),
            ca,
            trusted: std::sync::Mutex::new(None),
            dir,
            child,
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(&r.address).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "docker-registry did not listen on {}: {}",
                r.address,
                std::fs::read_to_string(r.dir.path().join("registry.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(r)
    }

    /// The HTTP status of `GET /v2/`, with the given basic-auth credentials.
    pub fn v2_status(&self, auth: Option<(&str, &str)>) -> u16 {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.address).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut req = format!("GET /v2/ HTTP/1.0\r\nHost: {}\r\n", self.address);
        if let Some((u, p)) = auth {
            req.push_str(&format!(
                "Authorization: Basic {}\r\n",
                base64(&format!("{u}:{p}"))
            ));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        if let Some(dir) = self.trusted.lock().unwrap().take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        super::terminate(self.child.id(), Duration::from_secs(5));
        let _ = self.child.wait();
    }
}

fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
