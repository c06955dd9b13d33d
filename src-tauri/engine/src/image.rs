//! Images: list (more operations arrive with the images issue).

use bollard::query_parameters::ListImagesOptions;
use serde::Serialize;
use specta::Type;

use crate::connect::Engine;
use crate::error::Result;

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
