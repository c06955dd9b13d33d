//! The `.deb` (built by `make bundle`, which `make test` runs first) installs with dpkg, puts the
//! binary, the desktop entry and the icons in place, starts from /usr/bin and paints the
//! containers list against the harness daemon, and uninstalls cleanly.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::app::{launch, Home};
use crate::support::display::Xvfb;
use crate::support::{daemon, is_root, missing};

fn the_deb() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/bundle/deb");
    let newest = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok());
    newest.or_else(|| missing(&format!("no .deb in {}: run `make bundle`", dir.display())))
}

fn dpkg(args: &[&str]) -> String {
    let out = Command::new("dpkg").args(args).output().expect("dpkg runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "dpkg {args:?} failed:\n{text}");
    text
}

#[test]
fn the_deb_installs_starts_and_uninstalls() {
    let Some(d) = daemon::shared() else { return };
    let Some(deb) = the_deb() else { return };
    if !is_root() {
        missing::<()>("installing a .deb needs root");
        return;
    }
    let info = dpkg(&["--info", &deb.display().to_string()]);
    assert!(info.contains("Package: dockwright"), "{info}");
    assert!(
        info.contains("libayatana-appindicator3-1"),
        "the tray's library is a dependency: {info}"
    );

    dpkg(&["--install", &deb.display().to_string()]);
    // Removed again even if an assertion below fails (the machine is shared with other tests).
    struct Installed;
    impl Drop for Installed {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let _ = Command::new("dpkg")
                    .args(["--remove", "dockwright"])
                    .output();
            }
        }
    }
    let _installed = Installed;
    let status = dpkg(&["--status", "dockwright"]);
    assert!(status.contains("Status: install ok installed"), "{status}");
    let bin = Path::new("/usr/bin/dockwright");
    assert!(bin.is_file(), "the binary is installed");
    let desktop = std::fs::read_to_string("/usr/share/applications/Dockwright.desktop")
        .expect("a desktop entry");
    assert!(desktop.contains("Exec=dockwright"), "{desktop}");
    assert!(desktop.contains("Icon=dockwright"), "{desktop}");
    assert!(Path::new("/usr/share/icons/hicolor/128x128/apps/dockwright.png").is_file());

    let Some(x) = Xvfb::start() else { return };
    let home = Home::new();
    let mut app = launch(bin, &x.display, &d.host, &home, &[], &[]);
    app.wait_line("connected to the Docker engine", Duration::from_secs(30));
    let (at, line) = app.wait_line("first paint", Duration::from_secs(30));
    eprintln!(
        "installed app painted its list {} ms after launch ({line})",
        at.duration_since(app.started).as_millis()
    );
    assert!(app.exited().is_none(), "still running after painting");
    x.screenshot(&crate::e2e_live_list::screenshot_dir().join("installed-deb.png"));
    app.stop();

    dpkg(&["--remove", "dockwright"]);
    assert!(!bin.exists(), "removed");
    assert!(!Path::new("/usr/share/applications/Dockwright.desktop").exists());
}
