//! The `docker …` command behind each operation, quoted for a POSIX shell, ready to copy.

use std::path::Path;

use crate::build::run::BuildOptions;
use crate::container::ops::ContainerAction;

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

/// Joins words into one line for `sh`, each quoted by [`quote`].
pub(crate) fn line(words: &[String]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

/// Splits a pasted shell line into words the way a POSIX `sh` does, without expanding anything
/// (`$HOME` stays the text `$HOME`): single quotes keep everything literally; double quotes keep
/// everything but `\$`, `` \` ``, `\"`, `\\` and backslash-newline; outside quotes a backslash
/// keeps the next character, and backslash-newline joins lines (so a multi-line command pasted
/// with ` \` continuations reads as one). `#` at the start of a word starts a comment. A
/// backslash at the very end is ignored (a paste cut after a continuation). CRLF line ends count
/// as newlines, and a newline outside quotes counts as a space (a shell would end the command
/// there; a pasted command is often wrapped).
///
/// Errors (as text meant for people) for an unclosed quote and for `;`, `|`, `&`, `<`, `>`
/// outside quotes: those make a shell pipeline or redirection, not one command.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    // Whether a word has started: `''` is an empty word, not nothing.
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => match chars.next() {
                // A line continuation: nothing at all.
                Some('\n') | None => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(next) => {
                    word.push(next);
                    in_word = true;
                }
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err(unclosed('\'')),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.peek().copied() {
                            Some(esc @ ('$' | '`' | '"' | '\\')) => {
                                chars.next();
                                word.push(esc);
                            }
                            Some('\n') => {
                                chars.next();
                            }
                            Some('\r') => {
                                chars.next();
                                if chars.peek() == Some(&'\n') {
                                    chars.next();
                                } else {
                                    word.push_str("\\\r");
                                }
                            }
                            _ => word.push('\\'),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err(unclosed('"')),
                    }
                }
            }
            '#' if !in_word => {
                // A comment runs to the end of the line.
                while chars.peek().is_some_and(|&ch| ch != '\n') {
                    chars.next();
                }
            }
            ';' | '|' | '&' | '<' | '>' => {
                return Err(format!(
                    "The line has a “{c}” outside quotes, which makes it more than one command for a shell. Paste only the docker command (or put the text in quotes)."
                ));
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

fn unclosed(q: char) -> String {
    format!("A {q} quote is opened but never closed; add the closing {q}.")
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

/// `docker stop web db`, `docker rm -f -v web`, … for one action on several containers.
pub fn container_action(names: &[String], action: &ContainerAction) -> String {
    let mut w = vec![s("docker")];
    match action {
        ContainerAction::Start => w.push(s("start")),
        ContainerAction::Stop { timeout } | ContainerAction::Restart { timeout } => {
            w.push(s(if matches!(action, ContainerAction::Stop { .. }) {
                "stop"
            } else {
                "restart"
            }));
            if let Some(t) = timeout {
                w.push(s("--time"));
                w.push(t.to_string());
            }
        }
        ContainerAction::Kill { signal } => {
            w.push(s("kill"));
            if let Some(sig) = signal.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
                w.push(s("--signal"));
                w.push(sig.to_owned());
            }
        }
        ContainerAction::Pause => w.push(s("pause")),
        ContainerAction::Unpause => w.push(s("unpause")),
        ContainerAction::Remove { force, volumes } => {
            w.push(s("rm"));
            if *force {
                w.push(s("--force"));
            }
            if *volumes {
                w.push(s("--volumes"));
            }
        }
    }
    w.extend(names.iter().cloned());
    line(&w)
}

pub fn rename_container(name: &str, new_name: &str) -> String {
    line(&[
        s("docker"),
        s("rename"),
        s(name),
        new_name.trim().to_owned(),
    ])
}

pub fn prune_containers() -> String {
    line(&[s("docker"), s("container"), s("prune"), s("--force")])
}

pub fn inspect_container(name: &str) -> String {
    line(&[s("docker"), s("container"), s("inspect"), s(name)])
}

pub fn commit(
    container: &str,
    reference: &str,
    message: Option<&str>,
    author: Option<&str>,
) -> String {
    let mut w = vec![s("docker"), s("commit")];
    if let Some(a) = author.map(str::trim).filter(|x| !x.is_empty()) {
        w.push(s("--author"));
        w.push(a.to_owned());
    }
    if let Some(m) = message.map(str::trim).filter(|x| !x.is_empty()) {
        w.push(s("--message"));
        w.push(m.to_owned());
    }
    w.push(s(container));
    w.push(reference.trim().to_owned());
    line(&w)
}

pub fn logs(container: &str, tail: Option<u32>, timestamps: bool, follow: bool) -> String {
    let mut w = vec![s("docker"), s("logs")];
    if let Some(n) = tail {
        w.push(s("--tail"));
        w.push(n.to_string());
    }
    if timestamps {
        w.push(s("--timestamps"));
    }
    if follow {
        w.push(s("--follow"));
    }
    w.push(s(container));
    line(&w)
}

pub fn exec(container: &str, command: &[String]) -> String {
    let mut w = vec![s("docker"), s("exec"), s("-it"), s(container)];
    w.extend(command.iter().cloned());
    line(&w)
}

/// `docker cp web:/etc/nginx /home/me/out` or the other way round.
pub fn cp(from: &str, to: &str) -> String {
    line(&[s("docker"), s("cp"), s(from), s(to)])
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

    /// What `sh` makes of a line (no expansions happen in these inputs).
    fn sh_words(line: &str) -> Vec<String> {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("set -f; set -- {line}\nprintf '%s\\0' \"$@\""))
            .output()
            .expect("sh");
        let text = String::from_utf8(out.stdout).expect("utf8");
        let mut words: Vec<String> = text.split('\0').map(str::to_owned).collect();
        words.pop();
        words
    }

    #[test]
    fn split_agrees_with_sh() {
        for line in [
            "plain words  here",
            "a 'b c' \"d \\\"e\\\" \\$f \\\\ \\x\" g\\ h",
            "docker run \\\n  -d \\\n  nginx",
            "x '' \"\" y",
            "\"a\\\nb\"",
            "'it'\\''s'",
            "a#b # a comment",
            "-x -- --y",
            "a \\# b",
            "'multi\nline' \"tab\there\"",
            "ünï 'cödé'",
            "\\'quote\\\" ",
        ] {
            assert_eq!(split(line).as_deref(), Ok(&sh_words(line)[..]), "{line:?}");
        }
    }

    #[test]
    fn split_keeps_dollars_and_handles_crlf() {
        assert_eq!(
            split("-v \"$HOME/site\":/x $USER").expect("split"),
            ["-v", "$HOME/site:/x", "$USER"]
        );
        assert_eq!(
            split("docker run \\\r\n  -d nginx\r\n").expect("split"),
            ["docker", "run", "-d", "nginx"]
        );
        assert_eq!(split("a \\").expect("split"), ["a"]);
        assert_eq!(split("").expect("split"), Vec::<String>::new());
    }

    #[test]
    fn split_refuses_unclosed_quotes_and_operators() {
        assert!(split("a 'b").unwrap_err().contains("never closed"));
        assert!(split("a \"b").unwrap_err().contains("never closed"));
        let e = split("docker run nginx | tee x").unwrap_err();
        assert!(e.contains("“|”"), "{e}");
        assert!(split("a && b").is_err());
        assert_eq!(split("'a;b|c'").expect("split"), ["a;b|c"]);
    }

    #[test]
    fn quote_then_split_is_identity() {
        for word in [
            "",
            "plain",
            "it's",
            "a\"b",
            "$x",
            "new\nline",
            "\\",
            "#x",
            "a b",
        ] {
            assert_eq!(split(&quote(word)).expect("split"), [word], "{word:?}");
        }
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

    #[test]
    fn container_lines() {
        let names = vec!["web".to_owned(), "my db".to_owned()];
        assert_eq!(
            container_action(&names, &ContainerAction::Stop { timeout: Some(5) }),
            "docker stop --time 5 web 'my db'"
        );
        assert_eq!(
            container_action(
                &names[..1],
                &ContainerAction::Remove {
                    force: true,
                    volumes: true
                }
            ),
            "docker rm --force --volumes web"
        );
        assert_eq!(
            commit("web", "me/web:v2", Some("it's done"), None),
            "docker commit --message 'it'\\''s done' web me/web:v2"
        );
        assert_eq!(
            logs("web", Some(100), true, true),
            "docker logs --tail 100 --timestamps --follow web"
        );
        assert_eq!(exec("web", &["sh".to_owned()]), "docker exec -it web sh");
    }
}
