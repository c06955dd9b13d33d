//! The `docker …` command behind each operation, quoted for a POSIX shell, ready to copy.

use std::path::Path;

use crate::build::run::BuildOptions;

/// Quotes one word for `sh`: left bare when it is made only of safe characters, otherwise in
/// single quotes (a `'` inside becomes `'\''`).
pub fn quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%^".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn line(words: &[String]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

fn s(x: &str) -> String {
    x.to_owned()
}

/// `docker build …` for a folder and the form's options. A relative Dockerfile is shown relative
/// to the folder (the CLI reads `-f` relative to the current directory, so it is joined).
pub fn build(root: &Path, o: &BuildOptions) -> String {
    let mut w = vec![s("docker"), s("build")];
    let df = o.dockerfile.trim();
    if !df.is_empty() && df != "Dockerfile" {
        w.push(s("-f"));
        let p = Path::new(df);
        w.push(if p.is_absolute() {
            df.to_owned()
        } else {
            root.join(p).display().to_string()
        });
    }
    for t in o.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        w.push(s("-t"));
        w.push(t.to_owned());
    }
    for kv in o.build_args.iter().filter(|kv| !kv.key.trim().is_empty()) {
        w.push(s("--build-arg"));
        w.push(format!("{}={}", kv.key.trim(), kv.value));
    }
    if let Some(t) = o.target.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        w.push(s("--target"));
        w.push(t.to_owned());
    }
    if o.no_cache {
        w.push(s("--no-cache"));
    }
    if o.pull {
        w.push(s("--pull"));
    }
    for kv in o.labels.iter().filter(|kv| !kv.key.trim().is_empty()) {
        w.push(s("--label"));
        w.push(format!("{}={}", kv.key.trim(), kv.value));
    }
    w.push(root.display().to_string());
    line(&w)
}

pub fn pull(reference: &str) -> String {
    line(&[s("docker"), s("pull"), reference.trim().to_owned()])
}

pub fn remove_image(reference: &str, force: bool) -> String {
    let mut w = vec![s("docker"), s("image"), s("rm")];
    if force {
        w.push(s("--force"));
    }
    w.push(reference.trim().to_owned());
    line(&w)
}

pub fn prune_images(all: bool) -> String {
    let mut w = vec![s("docker"), s("image"), s("prune"), s("--force")];
    if all {
        w.push(s("--all"));
    }
    line(&w)
}

pub fn search(term: &str) -> String {
    line(&[s("docker"), s("search"), term.trim().to_owned()])
}

pub fn history(reference: &str) -> String {
    line(&[
        s("docker"),
        s("image"),
        s("history"),
        s("--no-trunc"),
        reference.trim().to_owned(),
    ])
}

pub fn inspect_image(reference: &str) -> String {
    line(&[
        s("docker"),
        s("image"),
        s("inspect"),
        reference.trim().to_owned(),
    ])
}

pub fn tag(source: &str, target: &str) -> String {
    line(&[
        s("docker"),
        s("tag"),
        source.trim().to_owned(),
        target.trim().to_owned(),
    ])
}

pub fn list_images(all: bool) -> String {
    line(&[
        s("docker"),
        s("image"),
        s("ls"),
        if all {
            s("--all")
        } else {
            s("--filter=dangling=false")
        },
    ])
}

pub fn push(reference: &str) -> String {
    line(&[s("docker"), s("push"), reference.trim().to_owned()])
}

/// `docker login`: the password is typed at the prompt, never shown.
pub fn login(registry: &str, username: &str) -> String {
    let mut w = vec![s("docker"), s("login")];
    if !username.trim().is_empty() {
        w.push(s("-u"));
        w.push(username.trim().to_owned());
    }
    let r = registry.trim();
    if !r.is_empty()
        && !crate::credentials::is_docker_hub(crate::credentials::convert_to_hostname(r))
    {
        w.push(r.to_owned());
    }
    line(&w)
}

pub fn logout(registry: &str) -> String {
    let mut w = vec![s("docker"), s("logout")];
    let r = registry.trim();
    if !r.is_empty()
        && !crate::credentials::is_docker_hub(crate::credentials::convert_to_hostname(r))
    {
        w.push(r.to_owned());
    }
    line(&w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::run::KeyValue;

    /// Splits a line the way `sh` would (only what `quote` produces: bare words and '…').
    fn sh_split(line: &str) -> Vec<String> {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("for a in {line}; do printf '%s\\0' \"$a\"; done"))
            .output()
            .expect("sh");
        String::from_utf8(out.stdout)
            .expect("utf8")
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn quoting_survives_the_shell() {
        for word in [
            "plain",
            "with space",
            "it's",
            "$HOME",
            "`id`",
            "a\"b",
            "x;rm -rf /",
            "tab\there",
            "ünïcode",
            "*",
        ] {
            assert_eq!(sh_split(&quote(word)), [word], "{word}");
        }
    }

    #[test]
    fn build_line_has_every_option() {
        let o = BuildOptions {
            dockerfile: "docker/Prod.Dockerfile".into(),
            tags: vec![
                "app:1".into(),
                " ".into(),
                "registry:5000/app:latest".into(),
            ],
            build_args: vec![KeyValue {
                key: "VERSION".into(),
                value: "1 2".into(),
            }],
            target: Some("final".into()),
            no_cache: true,
            pull: true,
            labels: vec![KeyValue {
                key: "team".into(),
                value: "it's us".into(),
            }],
        };
        let l = build(Path::new("/home/me/my app"), &o);
        assert_eq!(
            l,
            "docker build -f '/home/me/my app/docker/Prod.Dockerfile' -t app:1 -t registry:5000/app:latest --build-arg 'VERSION=1 2' --target final --no-cache --pull --label 'team=it'\\''s us' '/home/me/my app'"
        );
        assert_eq!(
            sh_split(&l[13..]).last().map(String::as_str),
            Some("/home/me/my app")
        );
        assert_eq!(
            build(Path::new("/src"), &BuildOptions::default()),
            "docker build /src"
        );
    }

    #[test]
    fn the_other_lines() {
        assert_eq!(remove_image("app:1", true), "docker image rm --force app:1");
        assert_eq!(prune_images(true), "docker image prune --force --all");
        assert_eq!(prune_images(false), "docker image prune --force");
        assert_eq!(pull("busybox"), "docker pull busybox");
        assert_eq!(tag("sha256:ab", "x:1"), "docker tag sha256:ab x:1");
        assert_eq!(
            login("localhost:5000", "alice"),
            "docker login -u alice localhost:5000"
        );
        assert_eq!(login("docker.io", "alice"), "docker login -u alice");
        assert_eq!(logout("ghcr.io"), "docker logout ghcr.io");
        assert_eq!(push("localhost:5000/a:1"), "docker push localhost:5000/a:1");
    }
}
