#![allow(clippy::unwrap_used)]
//! The root package's integration tests: the engine against a real daemon, registries, and the
//! real app under Xvfb. One binary, so WebKit is linked once.

#[path = "../support/mod.rs"]
mod support;

mod build;
mod containers;
mod containers_files;
mod desktop;
mod e2e_build;
mod e2e_containers;
mod e2e_live_list;
mod e2e_palette;
mod e2e_registries;
mod e2e_settings;
mod engine_connect;
mod engine_events;
mod engine_lists;
mod engine_monitor;
mod harness;
mod images;
mod installer;
mod registries;
