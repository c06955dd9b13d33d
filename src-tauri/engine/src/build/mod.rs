//! Building images. So far: Docker's exact `.dockerignore` rules.

pub mod dockerignore;
