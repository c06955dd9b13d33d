//! Images: list, inspect, history, remove, prune, search, tag, pull.

use bollard::query_parameters::ListImagesOptions;
use serde::Serialize;
use specta::Type;

use crate::connect::Engine;
use crate::error::{clean_daemon_message, EngineError, Result};
use crate::progress::TransferProgress;
use crate::reference::Reference;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImageSummary {
    /// `sha256:…`
    pub id: String,
    /// `repo:tag` references; empty for a dangling image.
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    /// Bytes.
    pub size: i64,
    /// Unix seconds.
    pub created: i64,
    /// Containers using it, or -1 when the daemon did not count.
    pub containers: i64,
}

impl ImageSummary {
    pub fn dangling(&self) -> bool {
        self.repo_tags.is_empty()
    }
}

impl Engine {
    /// Lists images (not intermediate layers), newest first.
    pub async fn list_images(&self) -> Result<Vec<ImageSummary>> {
        let mut list: Vec<ImageSummary> = self
            .docker
            .list_images(Some(ListImagesOptions {
                all: false,
                ..Default::default()
            }))
            .await
            .map_err(|e| self.err(e))?
            .into_iter()
            .map(|i| ImageSummary {
                id: i.id,
                repo_tags: i
                    .repo_tags
                    .into_iter()
                    .filter(|t| t != "<none>:<none>")
                    .collect(),
                repo_digests: i.repo_digests,
                size: i.size,
                created: i.created,
                containers: i.containers,
            })
            .collect();
        list.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        Ok(list)
    }
}

/// What the image inspector shows above the raw JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImageDetails {
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    /// RFC 3339, as the daemon gives it.
    pub created: Option<String>,
    pub size: i64,
    pub architecture: String,
    pub os: String,
    pub author: String,
    pub comment: String,
    pub user: String,
    pub working_dir: String,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub layers: u32,
    /// The whole inspect document, pretty-printed.
    pub raw: String,
}

/// One line of `docker history`: a layer (or an empty metadata step) and what made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// `sha256:…`, or `<missing>` for steps built elsewhere.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    pub created_by: String,
    pub size: i64,
    pub tags: Vec<String>,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RemoveReport {
    pub untagged: Vec<String>,
    pub deleted: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PruneReport {
    pub deleted: Vec<String>,
    pub untagged: Vec<String>,
    pub space_reclaimed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub name: String,
    pub description: String,
    pub stars: i64,
    pub official: bool,
    pub automated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PullResult {
    /// The reference pulled, in its familiar form.
    pub reference: String,
    pub digest: Option<String>,
    /// The daemon's last word ("Downloaded newer image for …", "Image is up to date for …").
    pub status: Option<String>,
}

/// How long a pull may wait for the daemon's first answer (it may resolve a slow registry).
const PULL_HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

impl Engine {
    pub async fn inspect_image(&self, reference: &str) -> Result<ImageDetails> {
        let reference = nonempty_ref(reference)?;
        let i = self
            .docker
            .inspect_image(reference)
            .await
            .map_err(|e| self.not_found_image(e, reference))?;
        let raw = serde_json::to_string_pretty(&i).unwrap_or_default();
        let c = i.config.unwrap_or_default();
        let mut labels: Vec<(String, String)> = c.labels.unwrap_or_default().into_iter().collect();
        labels.sort();
        let mut exposed_ports = c.exposed_ports.unwrap_or_default();
        exposed_ports.sort();
        let mut volumes = c.volumes.unwrap_or_default();
        volumes.sort();
        Ok(ImageDetails {
            id: i.id.unwrap_or_default(),
            repo_tags: i.repo_tags.unwrap_or_default(),
            repo_digests: i.repo_digests.unwrap_or_default(),
            created: i.created.map(|c| c.to_string()),
            size: i.size.unwrap_or(0),
            architecture: i.architecture.unwrap_or_default(),
            os: i.os.unwrap_or_default(),
            author: i.author.unwrap_or_default(),
            comment: i.comment.unwrap_or_default(),
            user: c.user.unwrap_or_default(),
            working_dir: c.working_dir.unwrap_or_default(),
            entrypoint: c.entrypoint.unwrap_or_default(),
            cmd: c.cmd.unwrap_or_default(),
            env: c.env.unwrap_or_default(),
            exposed_ports,
            volumes,
            labels,
            layers: i
                .root_fs
                .and_then(|r| r.layers)
                .map(|l| l.len() as u32)
                .unwrap_or(0),
            raw,
        })
    }

    /// The image's history, newest step first (as `docker history` prints it).
    pub async fn image_history(&self, reference: &str) -> Result<Vec<HistoryEntry>> {
        let reference = nonempty_ref(reference)?;
        Ok(self
            .docker
            .image_history(reference)
            .await
            .map_err(|e| self.not_found_image(e, reference))?
            .into_iter()
            .map(|h| HistoryEntry {
                id: h.id,
                created: h.created,
                created_by: h.created_by,
                size: h.size,
                tags: h.tags,
                comment: h.comment,
            })
            .collect())
    }

    /// Removes a tag, or the image when it is the last reference. Without `force`, an image a
    /// container uses is refused with the daemon's reason (which names the container).
    pub async fn remove_image(&self, reference: &str, force: bool) -> Result<RemoveReport> {
        let reference = nonempty_ref(reference)?;
        let items = self
            .docker
            .remove_image(
                reference,
                Some(bollard::query_parameters::RemoveImageOptions {
                    force,
                    noprune: false,
                    ..Default::default()
                }),
                None,
            )
            .await
            .map_err(|e| match self.not_found_image(e, reference) {
                EngineError::Conflict(m) => EngineError::Conflict(format!(
                    "{m}. Remove the container first, or remove the image with “force”."
                )),
                other => other,
            })?;
        let mut r = RemoveReport {
            untagged: Vec::new(),
            deleted: Vec::new(),
        };
        for i in items {
            r.untagged.extend(i.untagged);
            r.deleted.extend(i.deleted);
        }
        Ok(r)
    }

    /// Removes dangling images, or with `all` every image no container uses.
    pub async fn prune_images(&self, all: bool) -> Result<PruneReport> {
        let mut filters = std::collections::HashMap::new();
        filters.insert(
            "dangling".to_owned(),
            vec![if all { "false" } else { "true" }.to_owned()],
        );
        let r = self
            .docker
            .prune_images(Some(bollard::query_parameters::PruneImagesOptions {
                filters: Some(filters),
            }))
            .await
            .map_err(|e| self.err(e))?;
        let mut out = PruneReport {
            deleted: Vec::new(),
            untagged: Vec::new(),
            space_reclaimed: r.space_reclaimed.unwrap_or(0).max(0) as u64,
        };
        for i in r.images_deleted.unwrap_or_default() {
            out.untagged.extend(i.untagged);
            out.deleted.extend(i.deleted);
        }
        Ok(out)
    }

    /// Docker Hub search through the daemon (which is what reaches the Hub).
    pub async fn search_images(&self, term: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let term = term.trim();
        if term.is_empty() {
            return Err(EngineError::invalid(
                "term",
                "Type something to search for.",
            ));
        }
        if term.chars().any(char::is_whitespace) {
            return Err(EngineError::invalid(
                "term",
                "Search terms are image names: no spaces.",
            ));
        }
        let hits = self
            .docker
            .search_images(bollard::query_parameters::SearchImagesOptions {
                term: term.to_owned(),
                limit: Some(limit.clamp(1, 100) as i32),
                ..Default::default()
            })
            .await
            .map_err(|e| match self.err(e) {
                // The engine is fine; the Hub is not reachable from it (not a reason to reconnect).
                EngineError::Api { message, .. } => EngineError::Failed(format!(
                    "Docker Hub cannot be reached from the engine, so search is unavailable. The engine said: {message}"
                )),
                other => other,
            })?;
        Ok(hits
            .into_iter()
            .map(|h| SearchHit {
                name: clean_daemon_message(&h.name.unwrap_or_default()),
                description: h
                    .description
                    .map(|d| clean_daemon_message(&d))
                    .unwrap_or_default(),
                stars: h.star_count.unwrap_or(0),
                official: h.is_official.unwrap_or(false),
                automated: h.is_automated.unwrap_or(false),
            })
            .collect())
    }

    /// Adds `target` as a reference to the image `source`.
    pub async fn tag_image(&self, source: &str, target: &Reference) -> Result<()> {
        let source = nonempty_ref(source)?;
        self.docker
            .tag_image(
                source,
                Some(bollard::query_parameters::TagImageOptions {
                    repo: Some(target.repository()),
                    tag: Some(target.tag.clone().unwrap_or_else(|| "latest".into())),
                }),
            )
            .await
            .map_err(|e| self.not_found_image(e, source))
    }

    /// Pulls `reference` with per-layer progress. A stream that ends with an error is a failure
    /// even though the request succeeded; `cancel` stops it (the daemon abandons the pull).
    pub async fn pull_image(
        &self,
        reference: &Reference,
        credentials: Option<bollard::auth::DockerCredentials>,
        cancel: tokio_util::sync::CancellationToken,
        mut on_progress: impl FnMut(TransferProgress),
    ) -> Result<PullResult> {
        let from = reference.repository();
        let tag = match (&reference.digest, &reference.tag) {
            (Some(d), _) => d.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        };
        let docker = self.docker.clone().with_timeout(PULL_HEADER_TIMEOUT);
        let stream = docker.create_image(
            Some(bollard::query_parameters::CreateImageOptions {
                from_image: Some(from),
                tag: Some(tag),
                ..Default::default()
            }),
            None,
            credentials,
        );
        let tracker = self
            .follow_transfer(stream, reference, cancel, &mut on_progress)
            .await?;
        let status = tracker.snapshot().status;
        Ok(PullResult {
            reference: reference.familiar(),
            digest: tracker.digest,
            status,
        })
    }

    fn not_found_image(&self, e: bollard::errors::Error, reference: &str) -> EngineError {
        match self.err(e) {
            EngineError::NotFound(_) => {
                EngineError::NotFound(format!("There is no image {reference} on this engine."))
            }
            other => other,
        }
    }
}

/// An image id or reference the user picked: it goes into a URL path, so only the characters a
/// reference or id can hold pass.
fn nonempty_ref(r: &str) -> Result<&str> {
    let r = r.trim();
    if r.is_empty() {
        return Err(EngineError::invalid("image", "Choose an image."));
    }
    if r.starts_with('/')
        || r.contains("..")
        || !r
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-:/@[]".contains(c))
    {
        return Err(EngineError::invalid(
            "image",
            format!("“{r}” is not an image name or id."),
        ));
    }
    Ok(r)
}
