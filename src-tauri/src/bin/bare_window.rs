//! A bare Tauri window of the app's size showing a static page: the baseline the benchmarks
//! compare Dockwright's memory and idle CPU with. Built only with the `bench` feature.

use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() {
    tauri::Builder::default()
        .setup(|app| {
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("bare.html".into()))
                .title("Bare Tauri window")
                .inner_size(1200.0, 760.0)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("bare window: {e}");
            std::process::exit(1);
        });
}
