//! Building images: the context folder, its `.dockerignore`, the Dockerfile, and the build.

pub mod context;
pub mod dockerfile;
pub mod dockerignore;
pub mod run;
