//! A Secret Service for the keychain tests: a private D-Bus session bus with GNOME Keyring,
//! its login keyring created and unlocked with a throwaway password. Started once per process
//! and stopped with it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::{after_exit, apt_install, have, missing};

static STARTED: OnceLock<bool> = OnceLock::new();

/// Makes the OS keychain usable for this process (on Linux), or `None` (skip / fail).
pub fn secret_service() -> Option<()> {
    if !cfg!(target_os = "linux") {
        return Some(());
    }
    if *STARTED.get_or_init(start) {
        Some(())
    } else {
        missing("no Secret Service for the keychain tests (dbus-daemon + gnome-keyring)")
    }
}

fn start() -> bool {
    if !have("gnome-keyring-daemon") && !apt_install(&["gnome-keyring"]) {
        return false;
    }
    if !have("dbus-daemon") && !apt_install(&["dbus"]) {
        return false;
    }
    let Ok(mut bus) = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1", "--nopidfile"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let mut address = String::new();
    if let Some(out) = bus.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut address);
    }
    let address = address.trim().to_owned();
    if address.is_empty() {
        return false;
    }
    // Tests run in threads of this one process; set before any keychain use.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    // Stop the bus (and the keyring daemon with it) when the test process ends.
    after_exit(&format!(
        "kill {bus} 2>/dev/null; sleep 2; rm -rf {data}",
        bus = bus.id(),
        data = std::env::temp_dir()
            .join(format!("dw-keyring-{}", std::process::id()))
            .display()
    ));
    // Its keyring files in a folder of its own, removed with the process.
    let data = std::env::temp_dir().join(format!("dw-keyring-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&data);
    let Ok(mut keyring) = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("XDG_DATA_HOME", &data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = keyring.stdin.take() {
        let _ = stdin.write_all(b"dockwright-test");
    }
    let _ = keyring.wait();
    std::mem::forget(bus);
    true
}
