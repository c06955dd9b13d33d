//! A virtual X display (Xvfb) and tauri-driver, for driving the real app.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{apt_install, free_port, have, missing, terminate};

pub struct Xvfb {
    pub display: String,
    child: Child,
}

impl Xvfb {
    pub fn start() -> Option<Self> {
        if !have("Xvfb") && !apt_install(&["xvfb", "xauth"]) {
            return missing("Xvfb is not installed (apt-get install xvfb xauth)");
        }
        for n in 90..140 {
            if PathBuf::from(format!("/tmp/.X11-unix/X{n}")).exists()
                || PathBuf::from(format!("/tmp/.X{n}-lock")).exists()
            {
                continue;
            }
            let display = format!(":{n}");
            let child = Command::new("Xvfb")
                .args([&display, "-screen", "0", "1200x760x24", "-nolisten", "tcp"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if PathBuf::from(format!("/tmp/.X11-unix/X{n}")).exists() {
                    return Some(Self { display, child });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            terminate(child.id(), Duration::from_secs(2));
        }
        missing("could not start Xvfb on any display :90-:139")
    }
}

impl Xvfb {
    /// Saves what the display shows as a PNG (ImageMagick's `import`; WebKitWebDriver's own
    /// screenshot command hangs under Xvfb).
    pub fn screenshot(&self, path: &std::path::Path) -> Vec<u8> {
        if !have("import") {
            assert!(
                apt_install(&["imagemagick"]),
                "ImageMagick is needed for screenshots"
            );
        }
        let ok = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(path)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "screenshot of {} failed", self.display);
        std::fs::read(path).unwrap()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        terminate(self.child.id(), Duration::from_secs(5));
        let _ = self.child.wait();
    }
}

/// tauri-driver in front of WebKitWebDriver. Stopped with SIGTERM.
pub struct TauriDriver {
    pub url: String,
    child: Child,
    _home: tempfile::TempDir,
}

fn tauri_driver_path() -> Option<PathBuf> {
    if have("tauri-driver") {
        return Some(PathBuf::from("tauri-driver"));
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let p = cargo_home.join("bin/tauri-driver");
    p.exists().then_some(p)
}

impl TauriDriver {
    /// Starts tauri-driver; the app it launches gets `env` and its own XDG folders.
    pub fn start(display: &str, env: &[(&str, String)]) -> Option<Self> {
        let Some(driver) = tauri_driver_path() else {
            return missing("tauri-driver is not installed (cargo install tauri-driver --locked)");
        };
        if !have("WebKitWebDriver") && !apt_install(&["webkit2gtk-driver"]) {
            return missing("WebKitWebDriver is not installed (apt-get install webkit2gtk-driver)");
        }
        let home = tempfile::Builder::new()
            .prefix("dw-e2e-home")
            .tempdir()
            .unwrap();
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new(driver);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", display)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_RUNTIME_DIR", home.path().join("runtime"))
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null());
        std::fs::create_dir_all(home.path().join("runtime")).unwrap();
        let mut perms = std::fs::metadata(home.path().join("runtime"))
            .unwrap()
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
        std::fs::set_permissions(home.path().join("runtime"), perms).unwrap();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "tauri-driver did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Self {
            url,
            child,
            _home: home,
        })
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        terminate(self.child.id(), Duration::from_secs(10));
        let _ = self.child.wait();
    }
}

/// The app binary the tests drive: the debug build with the UI embedded.
pub fn app_binary() -> Option<PathBuf> {
    if !cfg!(feature = "custom-protocol") {
        return missing(
            "the e2e test needs the app built with its UI embedded: cargo test --features custom-protocol (make test does)",
        );
    }
    Some(PathBuf::from(env!("CARGO_BIN_EXE_dockwright")))
}

/// Waits (polling every 20 ms) for an element of the app's page; panics naming it when late.
pub async fn wait_for(
    client: &fantoccini::Client,
    css: &str,
    within: Duration,
) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(within)
        .every(Duration::from_millis(20))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` did not appear within {within:?}: {e}"))
}
