//! Thin commands: parse, call the engine, map the error. Named `<domain>_<verb>`.

pub mod build;
pub mod cli;
pub mod containers;
pub mod engine;
pub mod images;
pub mod names;
pub mod registries;
pub mod settings;
