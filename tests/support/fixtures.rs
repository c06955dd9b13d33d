//! Fixture images built `FROM scratch` with Debian's busybox-static (nothing can be pulled),
//! and removal of everything a test created.

use std::collections::HashMap;

use bollard::query_parameters::{
    BuildImageOptions, CreateContainerOptions, ListContainersOptions, RemoveContainerOptions,
    RemoveImageOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use tokio::sync::Mutex;

use super::{apt_install, have};
use dockwright_engine::TEST_LABEL;

pub const BUSYBOX: &str = "dockwright-test/busybox:latest";
const FIXTURE_LABEL: &str = "dev.dockwright.fixture";

static BUILD_LOCK: Mutex<()> = Mutex::const_new(());

fn busybox_static() -> Vec<u8> {
    let path = std::path::Path::new("/bin/busybox");
    let is_static = || {
        std::process::Command::new("ldd")
            .arg(path)
            .output()
            .map(|o| {
                !o.status.success() || String::from_utf8_lossy(&o.stdout).contains("not a dynamic")
            })
            .unwrap_or(false)
    };
    if !path.exists() || !is_static() {
        assert!(
            apt_install(&["busybox-static"]),
            "a static /bin/busybox is needed for fixture images: apt-get install busybox-static"
        );
    }
    assert!(
        have("busybox"),
        "busybox-static did not install /bin/busybox"
    );
    std::fs::read(path).unwrap()
}

/// Builds `tag` from a ready context tar.
pub async fn build_tar(docker: &Docker, tag: &str, context: Vec<u8>) {
    let body = bollard::body_full(context.into());
    let opts = BuildImageOptions {
        t: Some(tag.to_owned()),
        rm: true,
        forcerm: true,
        labels: Some(HashMap::from([(FIXTURE_LABEL.to_owned(), "1".to_owned())])),
        ..Default::default()
    };
    let mut out = String::new();
    let mut s = docker.build_image(opts, None, Some(body));
    while let Some(item) = s.next().await {
        match item {
            Ok(info) => {
                if let Some(e) = info.error_detail.and_then(|d| d.message) {
                    panic!("fixture build of {tag} failed: {e}\n{out}");
                }
                if let Some(t) = info.stream {
                    out.push_str(&t);
                }
            }
            Err(e) => panic!("fixture build of {tag} failed: {e}\n{out}"),
        }
    }
}

/// The busybox image every container test runs; built once per daemon. No `RUN` step (the
/// build needs no network or runtime): the applet links are part of the context.
pub async fn busybox(docker: &Docker) -> &'static str {
    let _g = BUILD_LOCK.lock().await;
    if docker.inspect_image(BUSYBOX).await.is_ok() {
        return BUSYBOX;
    }
    let bin = busybox_static();
    let applets = std::process::Command::new("/bin/busybox")
        .arg("--list")
        .output()
        .unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let dockerfile = b"FROM scratch\nCOPY bin/ /bin/\nCMD [\"sh\"]\n";
    for (path, mode, data) in [
        ("Dockerfile", 0o644, &dockerfile[..]),
        ("bin/busybox", 0o755, &bin[..]),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_cksum();
        b.append_data(&mut h, path, data).unwrap();
    }
    for applet in String::from_utf8_lossy(&applets.stdout).lines() {
        if applet.is_empty() || applet == "busybox" || applet.contains('/') {
            continue;
        }
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    build_tar(docker, BUSYBOX, b.into_inner().unwrap()).await;
    BUSYBOX
}

/// Everything one test creates carries `TEST_LABEL=<scope id>` and a unique name.
pub struct Scope {
    pub id: String,
    docker: Docker,
}

impl Scope {
    pub fn new(docker: &Docker) -> Self {
        Self {
            id: super::unique("dwtest"),
            docker: docker.clone(),
        }
    }

    pub fn labels(&self) -> HashMap<String, String> {
        HashMap::from([(TEST_LABEL.to_owned(), self.id.clone())])
    }

    /// Creates (not starts) a busybox container running `cmd`, named uniquely.
    pub async fn create_container(&self, cmd: &[&str]) -> (String, String) {
        self.create(cmd, false).await
    }

    /// [`Scope::create_container`] with a TTY (`docker run -t`).
    pub async fn create_tty_container(&self, cmd: &[&str]) -> (String, String) {
        self.create(cmd, true).await
    }

    async fn create(&self, cmd: &[&str], tty: bool) -> (String, String) {
        let image = busybox(&self.docker).await;
        let name = super::unique("dw");
        let body = bollard::models::ContainerCreateBody {
            image: Some(image.to_owned()),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            tty: Some(tty),
            labels: Some(self.labels()),
            host_config: Some(bollard::models::HostConfig {
                network_mode: Some("none".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let r = self
            .docker
            .create_container(
                Some(CreateContainerOptions {
                    name: Some(name.clone()),
                    ..Default::default()
                }),
                body,
            )
            .await
            .unwrap();
        (r.id, name)
    }

    /// Starts a container created by [`Scope::create_container`].
    pub async fn start(&self, id: &str) {
        self.docker
            .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
            .await
            .unwrap();
    }

    /// Starts the container and waits until it exits.
    pub async fn run_to_exit(&self, id: &str) {
        self.start(id).await;
        let mut wait = self
            .docker
            .wait_container(id, None::<bollard::query_parameters::WaitContainerOptions>);
        let _ = wait.next().await;
    }

    /// Removes every container and image carrying this scope's label.
    pub async fn cleanup(&self) {
        remove_labelled(&self.docker, &format!("{TEST_LABEL}={}", self.id)).await;
    }
}

/// Removes containers and images whose labels match `filter` (`key=value` or `key`).
pub async fn remove_labelled(docker: &Docker, filter: &str) {
    let filters = HashMap::from([("label".to_owned(), vec![filter.to_owned()])]);
    let list = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters.clone()),
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    let removals = list.into_iter().filter_map(|c| c.id).map(|id| {
        let docker = docker.clone();
        async move {
            let _ = docker
                .remove_container(
                    &id,
                    Some(RemoveContainerOptions {
                        force: true,
                        v: true,
                        ..Default::default()
                    }),
                )
                .await;
        }
    });
    futures_util::stream::iter(removals)
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    let images = docker
        .list_images(Some(bollard::query_parameters::ListImagesOptions {
            filters: Some(filters),
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    for i in images {
        let _ = docker
            .remove_image(
                &i.id,
                Some(RemoveImageOptions {
                    force: true,
                    ..Default::default()
                }),
                None,
            )
            .await;
    }
}

/// Removes an image (by id: every tag) with force. Cleanup callers ignore the result.
pub async fn remove_image(docker: &Docker, reference: &str) -> Result<(), bollard::errors::Error> {
    docker
        .remove_image(
            reference,
            Some(RemoveImageOptions {
                force: true,
                ..Default::default()
            }),
            None,
        )
        .await
        .map(|_| ())
}

/// Builds an image of its own on `base` with a layer of `size` bytes no other image has
/// (unique, incompressible), tagged `tag`. Returns its id.
pub async fn image_with_blob(
    engine: &dockwright_engine::Engine,
    base: &str,
    tag: &str,
    size: usize,
) -> String {
    use dockwright_engine::build::run::{check, BuildOptions};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {base}\nCOPY blob /blob\n"),
    )
    .unwrap();
    let mut blob = super::unique("blob").into_bytes();
    let mut x: u32 = 2463534242;
    while blob.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        blob.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(dir.path().join("blob"), blob).unwrap();
    let checked = check(
        dir.path(),
        &BuildOptions {
            tags: vec![tag.to_owned()],
            ..Default::default()
        },
    )
    .unwrap();
    engine
        .build(
            &checked,
            None,
            tokio_util::sync::CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap()
        .image_id
}
